/** LDAP result codes used by the mock (RFC 4511 section 4.1.9). */
export const ResultCode = {
  success: 0,
  operationsError: 1,
  protocolError: 2,
  sizeLimitExceeded: 4,
  compareFalse: 5,
  compareTrue: 6,
  authMethodNotSupported: 7,
  strongerAuthRequired: 8,
  unavailableCriticalExtension: 12,
  noSuchAttribute: 16,
  attributeOrValueExists: 20,
  invalidAttributeSyntax: 21,
  noSuchObject: 32,
  invalidDnSyntax: 34,
  invalidCredentials: 49,
  insufficientAccessRights: 50,
  unwillingToPerform: 53,
  objectClassViolation: 65,
  notAllowedOnNonLeaf: 66,
  entryAlreadyExists: 68,
} as const;

/** The outcome of an operation, as carried by an LDAPResult. */
export interface LdapResult {
  status: number;
  matchedDN?: string;
  message?: string;
}

/** Success, nothing to say. */
export const SUCCESS: LdapResult = { status: ResultCode.success };

// The texts below reproduce what Windows Server 2016+ domain controllers send, because callers
// (delegaudit included) look at the hex code and the "data" field to tell failures apart.

/** Bind failures: `data` is 52e (bad password or unknown user), 52f (account restriction), 533 (disabled) or 775 (locked). */
export function invalidCredentials(data: '52e' | '52f' | '533' | '775'): LdapResult {
  return {
    status: ResultCode.invalidCredentials,
    message: `80090308: LdapErr: DSID-0C09044E, comment: AcceptSecurityContext error, data ${data}, v4563`,
  };
}

/** Simple bind with a password over a connection without TLS when the DC requires signing. */
export const STRONGER_AUTH_REQUIRED: LdapResult = {
  status: ResultCode.strongerAuthRequired,
  message:
    '00002028: LdapErr: DSID-0C090259, comment: The server requires binds to turn on integrity checking if SSL\\TLS are not already active on the connection, data 0, v4563',
};

/** Any operation but a RootDSE read on an anonymous connection. */
export const BIND_REQUIRED: LdapResult = {
  status: ResultCode.operationsError,
  message:
    '000004DC: LdapErr: DSID-0C090A5C, comment: In order to perform this operation a successful bind must be completed on the connection., data 0, v4563',
};

/** Writes by an account that is not an administrator. */
export const INSUFFICIENT_ACCESS: LdapResult = {
  status: ResultCode.insufficientAccessRights,
  message: '00002098: SecErr: DSID-03150F94, problem 4003 (INSUFF_ACCESS_RIGHTS), data 0',
};

/** The target object does not exist; `matchedDN` is the deepest existing ancestor. */
export function noSuchObject(matchedDN: string): LdapResult {
  return {
    status: ResultCode.noSuchObject,
    matchedDN,
    message: `0000208D: NameErr: DSID-03100241, problem 2001 (NO_OBJECT), data 0, best match of:\n\t'${matchedDN}'\n`,
  };
}

/** A DN that does not parse. */
export function invalidDnSyntax(dn: string): LdapResult {
  return {
    status: ResultCode.invalidDnSyntax,
    message: `00002081: NameErr: DSID-03100225, problem 2003 (BAD_ATT_SYNTAX), data 0, best match of:\n\t'${dn}'\n`,
  };
}

/** Attribute-level modify errors: ATT_OR_VALUE_EXISTS (20) and NO_ATTRIBUTE_OR_VAL (16). */
export function attributeError(status: 16 | 20, attribute: string): LdapResult {
  const [code, dsid, problem] =
    status === 20 ? ['00002083', 'DSID-03151904', '1006 (ATT_OR_VALUE_EXISTS)'] : ['00002080', 'DSID-03151F9F', '1001 (NO_ATTRIBUTE_OR_VAL)'];
  return { status, message: `${code}: AtrErr: ${dsid}, #1:\n\t0: ${code}: ${dsid}, problem ${problem}, data 0, Att (${attribute})\n` };
}

/** Writes to attributes the DC owns (back-links, constructed attributes). */
export function unwillingToPerform(comment: string): LdapResult {
  return { status: ResultCode.unwillingToPerform, message: `00002035: SvcErr: DSID-03152E29, problem 5003 (WILL_NOT_PERFORM), data 0 (${comment})\n` };
}

/** Add of a DN that exists. */
export const ENTRY_EXISTS: LdapResult = {
  status: ResultCode.entryAlreadyExists,
  message: '00002071: UpdErr: DSID-030503A8, problem 6005 (ENTRY_EXISTS), data 0\n',
};

/** Delete of an object that has children. */
export const NOT_ALLOWED_ON_NON_LEAF: LdapResult = {
  status: ResultCode.notAllowedOnNonLeaf,
  message: '00002015: UpdErr: DSID-031A12D2, problem 6003 (CANT_ON_NON_LEAF), data 0\n',
};

/** A malformed or unsupported request, with a short reason. */
export function protocolError(reason: string): LdapResult {
  return { status: ResultCode.protocolError, message: `0000203D: LdapErr: DSID-0C090E11, comment: ${reason}, data 0, v4563` };
}

/** A value that does not fit the attribute's syntax (e.g. text in an integer attribute). */
export function invalidAttributeSyntax(attribute: string): LdapResult {
  return {
    status: ResultCode.invalidAttributeSyntax,
    message: `00000057: LdapErr: DSID-0C090D8A, comment: Error in attribute conversion operation, data 0, v4563 (${attribute})`,
  };
}

/** A critical control the mock does not implement. */
export function unavailableCriticalExtension(oid: string): LdapResult {
  return {
    status: ResultCode.unavailableCriticalExtension,
    message: `00000057: LdapErr: DSID-0C090A3F, comment: Error processing control, data 0, v4563 (${oid})`,
  };
}

/** A paged search cookie the connection does not know (expired, from another connection, or forged). */
export const UNKNOWN_PAGED_COOKIE: LdapResult = {
  status: ResultCode.unwillingToPerform,
  message: '00000057: LdapErr: DSID-0C090A71, comment: Error processing control, data 0, v4563',
};

/** SASL binds (AD offers GSSAPI, GSS-SPNEGO, EXTERNAL, DIGEST-MD5; the mock none). */
export const SIMPLE_BINDS_ONLY: LdapResult = {
  status: ResultCode.authMethodNotSupported,
  message: '00002027: LdapErr: DSID-0C0906E8, comment: mock-ldap supports simple binds only, data 0, v4563',
};

/** Add of an object without objectClass. */
export const OBJECT_CLASS_VIOLATION: LdapResult = {
  status: ResultCode.objectClassViolation,
  message: '00002014: objectClass: DSID-0311088B, problem 6002 (OBJ_CLASS_VIOLATION), data 0\n',
};
