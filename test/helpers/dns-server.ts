/**
 * A DNS server for tests (UDP, on 127.0.0.1 and a free port): it answers SRV and A questions from a
 * table, as the domain's DNS would, so that `--domain` with `--dns-server` finds mock-ldap's DCs.
 */
import { createSocket, type RemoteInfo } from 'node:dgram';
import dnsPacket from 'dns-packet';

export interface SrvRecord {
  name: string;
  target: string;
  port: number;
  priority?: number;
  weight?: number;
}

export interface DnsTable {
  srv: SrvRecord[];
  /** Host name (lower case) → IPv4 address. */
  a: Record<string, string>;
}

export interface TestDns {
  /** 127.0.0.1:PORT, for --dns-server. */
  server: string;
  /** Questions asked, as "TYPE name". */
  asked: string[];
  /** Replace the answers. */
  table: DnsTable;
  close(): Promise<void>;
}

function answersFor(table: DnsTable, question: dnsPacket.Question): dnsPacket.Answer[] {
  const name = question.name.toLowerCase();
  if (question.type === 'SRV') {
    return table.srv
      .filter((r) => r.name.toLowerCase() === name)
      .map((r) => ({
        type: 'SRV',
        name: question.name,
        ttl: 60,
        data: { target: r.target, port: r.port, priority: r.priority ?? 0, weight: r.weight ?? 100 },
      }));
  }
  const address = table.a[name];
  return question.type === 'A' && address !== undefined ? [{ type: 'A', name: question.name, ttl: 60, data: address }] : [];
}

export async function startTestDns(table: DnsTable): Promise<TestDns> {
  const socket = createSocket('udp4');
  const dns: TestDns = {
    server: '',
    asked: [],
    table,
    close: () => new Promise((resolve) => socket.close(() => resolve())),
  };
  socket.on('message', (message: Buffer, from: RemoteInfo) => {
    const query = dnsPacket.decode(message);
    const questions = query.questions ?? [];
    for (const q of questions) dns.asked.push(`${q.type} ${q.name}`);
    const answers = questions.flatMap((q) => answersFor(dns.table, q));
    const known = questions.some(
      (q) => dns.table.srv.some((r) => r.name.toLowerCase() === q.name.toLowerCase()) || dns.table.a[q.name.toLowerCase()] !== undefined,
    );
    const reply = dnsPacket.encode({
      type: 'response',
      id: query.id ?? 0,
      flags: dnsPacket.AUTHORITATIVE_ANSWER | (known ? 0 : 3), // rcode 3: NXDOMAIN
      questions,
      answers,
    });
    socket.send(reply, from.port, from.address);
  });
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', () => resolve()));
  dns.server = `127.0.0.1:${socket.address().port}`;
  return dns;
}
