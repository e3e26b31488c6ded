import { randomBytes } from 'node:crypto';
import type net from 'node:net';
import tls from 'node:tls';

import { AddRequest, type Attribute, BerReader, CompareRequest, EqualityFilter, ModifyRequest, PagedResultsControl, ProtocolOperation as Op } from 'ldapts';

import {
  BIND_REQUIRED,
  INSUFFICIENT_ACCESS,
  invalidCredentials,
  type LdapResult,
  protocolError,
  ResultCode,
  SIMPLE_BINDS_ONLY,
  STRONGER_AUTH_REQUIRED,
  SUCCESS,
  unavailableCriticalExtension,
  UNKNOWN_PAGED_COOKIE,
  unwillingToPerform,
} from './ad-diagnostics.js';
import type { Directory, Entry } from './directory.js';
import { candidateEntries, compileFilter, matchesFilter, SID_ATTRIBUTES } from './filter.js';
import { BINARY_ATTRIBUTES, type LdifAttribute } from './ldif.js';
import {
  encodeEntry,
  encodeExtended,
  encodeReference,
  encodeResult,
  MessageFramer,
  NOTICE_OF_DISCONNECTION,
  openMessage,
  ProtocolViolation,
  type RequestEnvelope,
} from './protocol.js';
import { type DomainControllerInfo, findEntries, type NamingContexts, projectEntry, readSearchRequest, rootDse, type SearchParameters } from './search.js';
import { sidToString } from './sid.js';
import { type FaultSet, malformedMessage } from './faults.js';

/** One search as received. */
export interface SearchLogEntry {
  baseDN: string;
  scope: string;
  filter: string;
  attributes: string[];
}

/** Requests received since start or the last resetStats(). */
export interface MockLdapStats {
  binds: number;
  searches: number;
  modifies: number;
  adds: number;
  deletes: number;
  compares: number;
  extended: number;
  /** Every LDAPMessage, unbind, abandon and unsupported operations included. */
  total: number;
  searchLog: SearchLogEntry[];
}

/** What every session shares: the directory, the settings, the counters. */
export interface ServerContext {
  directory: Directory;
  faults: FaultSet;
  stats: MockLdapStats;
  secureContext: tls.SecureContext;
  requireTls: boolean;
  maxPageSize: number;
  /** AD's MaxValRange (see projectEntry). */
  maxValRange: number;
  netbiosName: string;
  dnsDomain: string;
  namingContexts: NamingContexts;
  dcInfo: DomainControllerInfo;
}

export const OID = {
  startTls: '1.3.6.1.4.1.1466.20037',
  whoAmI: '1.3.6.1.4.1.4203.1.11.3',
  pagedResults: PagedResultsControl.type,
  sdFlags: '1.2.840.113556.1.4.801',
} as const;
export const SUPPORTED_CONTROLS: readonly string[] = [OID.pagedResults, OID.sdFlags];
/** AD's MaxResultSetsPerConn: open paged searches per connection. */
const MAX_PAGED_SEARCHES = 10;

type Counter = Exclude<keyof MockLdapStats, 'total' | 'searchLog'>;
/** Request tag → [response tag, stats counter]. */
const OPERATIONS: Readonly<Record<number, readonly [number, Counter?]>> = {
  [Op.LDAP_REQ_BIND]: [Op.LDAP_RES_BIND, 'binds'],
  [Op.LDAP_REQ_SEARCH]: [Op.LDAP_RES_SEARCH, 'searches'],
  [Op.LDAP_REQ_MODIFY]: [Op.LDAP_RES_MODIFY, 'modifies'],
  [Op.LDAP_REQ_ADD]: [Op.LDAP_RES_ADD, 'adds'],
  [Op.LDAP_REQ_DELETE]: [Op.LDAP_RES_DELETE, 'deletes'],
  [Op.LDAP_REQ_COMPARE]: [Op.LDAP_RES_COMPARE, 'compares'],
  [Op.LDAP_REQ_EXTENSION]: [Op.LDAP_RES_EXTENSION, 'extended'],
  [Op.LDAP_REQ_MODRDN]: [Op.LDAP_RES_MODRDN],
};

interface PagedSearch {
  entries: Entry[];
  references: string[];
  offset: number;
  sent: number;
}

/** One client connection: framing, bind state, StartTLS, paged search cookies, and the operations. */
export class Session {
  private secure: boolean;
  /** Whether the connection arrived on the LDAPS port: references name the scheme the client used, as Samba's do. */
  private readonly ldaps: boolean;
  private framer = new MessageFramer();
  private account: Entry | undefined;
  private readonly pages = new Map<string, PagedSearch>();
  /** Fault injection: break the connection after this many entries of the next search. */
  private closeAfterEntries: number | undefined;

  public constructor(
    private readonly server: ServerContext,
    private socket: net.Socket,
    secure: boolean,
  ) {
    this.secure = secure;
    this.ldaps = secure;
    this.listen();
  }

  /** Drops the connection (server shutdown). */
  public destroy(): void {
    this.socket.destroy();
  }

  private listen(): void {
    const { socket } = this;
    socket.on('error', () => socket.destroy());
    socket.on('data', (chunk: Buffer) => {
      try {
        for (const frame of this.framer.push(chunk)) {
          if (this.socket !== socket || socket.destroyed) return; // upgraded by StartTLS, or unbound
          this.handle(openMessage(frame));
        }
      } catch (error) {
        if (!(error instanceof ProtocolViolation)) console.error('mock-ldap: internal error', error);
        const reason = error instanceof ProtocolViolation ? error.message : 'internal error';
        socket.end(encodeExtended(0, protocolError(reason), NOTICE_OF_DISCONNECTION));
        socket.destroySoon();
      }
    });
  }

  private handle(envelope: RequestEnvelope): void {
    const { stats } = this.server;
    stats.total += 1;
    if (envelope.tag === Op.LDAP_REQ_UNBIND) return void this.socket.destroy();
    if (envelope.tag === Op.LDAP_REQ_ABANDON) return;
    const operation = OPERATIONS[envelope.tag];
    if (!operation) throw new ProtocolViolation(`unsupported operation 0x${envelope.tag.toString(16)}`);
    const [responseTag, counter] = operation;
    if (counter) stats[counter] += 1;
    const reply = (result: LdapResult): void => void this.socket.write(encodeResult(envelope.messageId, responseTag, result));
    const kind =
      envelope.tag === Op.LDAP_REQ_BIND ? 'bind' : envelope.tag === Op.LDAP_REQ_SEARCH ? 'search' : envelope.tag === Op.LDAP_REQ_MODIFY ? 'modify' : undefined;
    const fault = kind === undefined ? undefined : this.server.faults.take(kind, faultText(kind, envelope.body));
    if (fault === undefined) return this.dispatch(envelope, reply);
    switch (fault.type) {
      case 'result':
        return void this.socket.write(
          encodeResult(envelope.messageId, responseTag, { status: fault.code, message: fault.message ?? '' }, (writer) => {
            if (fault.referral === undefined) return;
            writer.startSequence(0xa3); // referral [3] SEQUENCE OF LDAPURL
            writer.writeString(fault.referral);
            writer.endSequence();
          }),
        );
      case 'delay':
        return void setTimeout(() => {
          if (!this.socket.destroyed) this.dispatch(envelope, reply);
        }, fault.ms);
      case 'close':
        return void this.socket.destroy();
      case 'close-after-apply':
        // The request takes effect but its answer never arrives: the client cannot tell whether it did.
        if (envelope.tag === Op.LDAP_REQ_MODIFY) this.write(envelope);
        return void this.socket.destroy();
      case 'close-after-entries':
        this.closeAfterEntries = fault.entries;
        return this.dispatch(envelope, reply);
      case 'malformed':
        return void this.socket.write(malformedMessage(envelope.messageId));
    }
  }

  private dispatch(envelope: RequestEnvelope, reply: (result: LdapResult) => void): void {
    const unsupported = envelope.controls.find((control) => control.critical && !SUPPORTED_CONTROLS.includes(control.type));
    if (unsupported) reply(unavailableCriticalExtension(unsupported.type));
    else if (envelope.tag === Op.LDAP_REQ_BIND) reply(this.bind(envelope));
    else if (envelope.tag === Op.LDAP_REQ_SEARCH) this.search(envelope);
    else if (envelope.tag === Op.LDAP_REQ_EXTENSION) this.extended(envelope);
    else reply(this.write(envelope));
  }

  private bind({ body }: RequestEnvelope): LdapResult {
    const { version, name, password } = decode(() => ({
      version: body.readInt(),
      name: body.readString() ?? '',
      password: body.peek() === 0x80 ? (body.readString(0x80) ?? '') : undefined,
    }));
    const { directory } = this.server;
    this.account = undefined;
    if (password === undefined) return SIMPLE_BINDS_ONLY;
    if (version !== 3 && version !== 2) return protocolError(`unsupported LDAP version ${version ?? '?'}`);
    // An empty password makes an anonymous ("unauthenticated") bind, which AD accepts whatever the name.
    if (password === '') return SUCCESS;
    if (this.server.requireTls && !this.secure) return STRONGER_AUTH_REQUIRED;
    const account = directory.findAccount(name, this.server.netbiosName, this.server.dnsDomain);
    if (!account || !directory.checkPassword(account, password)) return invalidCredentials('52e');
    // AD reveals the account state (533 disabled, 775 locked) only to a caller who knows the password.
    if (Number(directory.values(account, 'userAccountControl')[0] ?? 0) & 0x2) return invalidCredentials('533');
    if (Number(directory.values(account, 'lockoutTime')[0] ?? 0) > 0) return invalidCredentials('775');
    // Samba refuses simple binds of Protected Users members (RID 525) with data 52f, account restriction.
    if (directory.tokenGroups(account).some((group) => /^S-1-5-21(-\d+){3}-525$/i.test(directory.values(group, 'objectSid')[0] ?? ''))) {
      return invalidCredentials('52f');
    }
    this.account = account;
    return SUCCESS;
  }

  private search(envelope: RequestEnvelope): void {
    const { directory, maxPageSize } = this.server;
    const out: Buffer[] = [];
    const done = (result: LdapResult, controls?: PagedResultsControl[]): void => {
      if (this.closeAfterEntries !== undefined) {
        // Fault injection: the connection breaks after this many entries.
        this.socket.write(Buffer.concat(out.slice(0, this.closeAfterEntries)));
        this.closeAfterEntries = undefined;
        return void this.socket.destroySoon();
      }
      out.push(encodeResult(envelope.messageId, Op.LDAP_RES_SEARCH, result, undefined, controls));
      this.socket.write(Buffer.concat(out));
    };
    let search: SearchParameters;
    try {
      search = readSearchRequest(envelope.body);
    } catch (error) {
      return done(protocolError(`malformed search request: ${(error as Error).message}`));
    }
    this.server.stats.searchLog.push({ baseDN: search.baseDN, scope: search.scope, filter: search.filter.toString(), attributes: search.attributes });
    const send = (dn: string, attributes: readonly LdifAttribute[]): void =>
      void out.push(encodeEntry(envelope.messageId, dn, projectEntry(attributes, search.attributes, search.typesOnly, this.server.maxValRange)));

    if (search.baseDN === '' && search.scope === 'base') {
      const attributes = rootDse(this.server.dcInfo);
      const probe: Entry = { dn: '', rdns: [], key: '', attributes: new Map(attributes.map((attribute) => [attribute.name.toLowerCase(), attribute])) };
      probe.attributes.set('objectclass', { name: 'objectClass', values: ['top'] });
      if (matchesFilter(search.filter, probe, directory)) send('', attributes);
      return done(SUCCESS);
    }
    if (!this.account) return done(BIND_REQUIRED);

    const control = envelope.controls.find((candidate) => candidate.type === OID.pagedResults);
    const paged =
      control &&
      decode(() => {
        const parsed = new PagedResultsControl();
        parsed.parse(new BerReader(control.value));
        return parsed;
      });
    const requestedSize = paged?.value?.size ?? 0;
    const cookieIn = paged?.value?.cookie?.toString('hex') ?? '';
    const pagedResponse = (cookie = ''): PagedResultsControl[] | undefined =>
      paged ? [new PagedResultsControl({ value: { size: 0, cookie: Buffer.from(cookie, 'hex') } })] : undefined;

    let state: PagedSearch;
    if (cookieIn) {
      const saved = this.pages.get(cookieIn);
      this.pages.delete(cookieIn);
      if (!saved) return done(UNKNOWN_PAGED_COOKIE);
      if (requestedSize <= 0) return done(SUCCESS, pagedResponse()); // RFC 2696: size 0 abandons the paged search
      state = saved;
    } else {
      const hits = findEntries(
        directory,
        this.server.namingContexts,
        search,
        compileFilter(search.filter, directory),
        this.ldaps ? 'ldaps' : 'ldap',
        candidateEntries(search.filter, directory),
      );
      if ('status' in hits) return done(hits);
      state = { ...hits, offset: 0, sent: 0 };
    }

    const sizeLimit = search.sizeLimit > 0 ? search.sizeLimit : Number.POSITIVE_INFINITY;
    const pageSize = requestedSize > 0 ? Math.min(requestedSize, maxPageSize) : maxPageSize;
    for (let inPage = 0; state.offset < state.entries.length && inPage < pageSize && state.sent < sizeLimit;) {
      const entry = state.entries[state.offset];
      state.offset += 1;
      if (!entry || directory.find(entry.dn) !== entry) continue; // deleted since the first page
      send(entry.dn, directory.visibleAttributes(entry));
      inPage += 1;
      state.sent += 1;
    }
    if (state.offset >= state.entries.length) {
      if (state.references.length) out.push(encodeReference(envelope.messageId, state.references));
      return done(SUCCESS, pagedResponse());
    }
    // Without the paged results control AD stops at MaxPageSize with sizeLimitExceeded.
    if (state.sent >= sizeLimit || !paged) return done({ status: ResultCode.sizeLimitExceeded }, pagedResponse());
    const cookie = randomBytes(12).toString('hex');
    this.pages.set(cookie, state);
    const oldest = this.pages.keys().next().value;
    if (this.pages.size > MAX_PAGED_SEARCHES && oldest !== undefined) this.pages.delete(oldest);
    done(SUCCESS, pagedResponse(cookie));
  }

  private extended(envelope: RequestEnvelope): void {
    const oid = decode(() => envelope.body.readString(0x80) ?? '');
    const reply = (result: LdapResult, name?: string, value?: string): void => void this.socket.write(encodeExtended(envelope.messageId, result, name, value));
    if (oid === OID.whoAmI) {
      const sam = this.account && this.server.directory.values(this.account, 'sAMAccountName')[0];
      return reply(SUCCESS, undefined, sam ? `u:${this.server.netbiosName}\\${sam}` : '');
    }
    if (oid !== OID.startTls) return reply(protocolError('Unknown extended request OID'));
    if (this.secure) return reply({ status: ResultCode.operationsError, message: 'TLS is already active on this connection' }, OID.startTls);
    const plain = this.socket;
    plain.removeAllListeners('data');
    reply(SUCCESS, OID.startTls);
    this.socket = new tls.TLSSocket(plain, { isServer: true, secureContext: this.server.secureContext });
    this.secure = true;
    this.framer = new MessageFramer();
    this.listen();
  }

  /** Modify, add, delete, compare, modify DN: operations on one named object by a bound account. */
  private write({ tag, body, messageId }: RequestEnvelope): LdapResult {
    const { directory } = this.server;
    if (tag === Op.LDAP_REQ_MODRDN) return unwillingToPerform('mock-ldap does not implement ModifyDN');
    const request = decode(() => {
      if (tag === Op.LDAP_REQ_DELETE) return { dn: body.buffer.toString('utf8') };
      const parsed =
        tag === Op.LDAP_REQ_MODIFY
          ? new ModifyRequest({ messageId })
          : tag === Op.LDAP_REQ_ADD
            ? new AddRequest({ messageId, dn: '' })
            : new CompareRequest({ messageId });
      parsed.parseMessage(body);
      return parsed;
    });
    if (!this.account) return BIND_REQUIRED;
    const target = directory.find(request.dn);
    if (request instanceof CompareRequest) {
      if (!target) return directory.absent(request.dn);
      if (directory.values(target, request.attribute).length === 0) return { status: ResultCode.noSuchAttribute };
      const equal = matchesFilter(new EqualityFilter({ attribute: request.attribute, value: request.value }), target, directory);
      return { status: equal ? ResultCode.compareTrue : ResultCode.compareFalse };
    }
    // AD checks rights on an existing object, so a missing one is noSuchObject for everybody.
    if ((target || request instanceof AddRequest) && !this.isAdministrator(this.account)) return INSUFFICIENT_ACCESS;
    if (request instanceof ModifyRequest) {
      const changes = request.changes.map(({ operation, modification }) => ({ operation, ...toText(modification) }));
      return directory.modify(request.dn, changes);
    }
    if (request instanceof AddRequest) return directory.add(request.dn, request.attributes.map(toText));
    return directory.delete(request.dn);
  }

  /** Domain Admins (RID 512), Enterprise Admins (519), BUILTIN\Administrators, or the RID-500 account itself. */
  private isAdministrator(account: Entry): boolean {
    const { directory } = this.server;
    const sid = (entry: Entry): string => directory.values(entry, 'objectSid')[0] ?? '';
    const adminGroup = /^S-1-5-21(-\d+){3}-(512|519)$|^S-1-5-32-544$/i;
    return /^S-1-5-21(-\d+){3}-500$/i.test(sid(account)) || directory.tokenGroups(account).some((group) => adminGroup.test(sid(group)));
  }
}

/** The request's first string (a search's base DN, a modify's DN, a bind's name), read without moving the reader. */
/** What a fault rule's `match` looks in: a search's base and filter, a bind's name, a modify's DN. */
function faultText(kind: 'bind' | 'search' | 'modify', body: BerReader): string {
  if (kind !== 'search') return firstString(body);
  const start = body.offset;
  try {
    const { baseDN, filter } = readSearchRequest(body);
    return `${baseDN} ${filter.toString()}`;
  } catch {
    return firstString(body);
  } finally {
    body.offset = start;
  }
}

function firstString(body: BerReader): string {
  const start = body.offset;
  try {
    if (body.peek() === 0x02) body.readInt(); // a bind starts with its version
    return body.readString() ?? '';
  } catch {
    return '';
  } finally {
    body.offset = start;
  }
}

/** Runs a request decoder, turning any failure into a ProtocolViolation (the connection is then dropped). */
function decode<T>(read: () => T): T {
  try {
    return read();
  } catch (error) {
    throw new ProtocolViolation(`malformed request: ${(error as Error).message}`);
  }
}

/** A request attribute as stored: text values, binary SIDs turned into S-1-... text, other binary attributes as base64. */
function toText(attribute: Attribute): LdifAttribute {
  const { type, values } = attribute;
  // Binary attributes are stored as the base64 of the bytes sent (see BINARY_ATTRIBUTES).
  if (BINARY_ATTRIBUTES.has(type.toLowerCase())) return { name: type, values: attribute.parsedBuffers.map((bytes) => bytes.toString('base64')) };
  const text = values.map((value) => {
    if (!Buffer.isBuffer(value)) return value;
    try {
      if (SID_ATTRIBUTES.has(type.toLowerCase())) return sidToString(value);
    } catch {
      // Not a SID after all: keep the bytes as text.
    }
    return value.toString('utf8');
  });
  return { name: type, values: text };
}
