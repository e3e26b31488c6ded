export { type LdapResult, ResultCode } from './ad-diagnostics.js';
export { type CertificatePaths, ensureCertificates } from './certs.js';
export { DnSyntaxError, dnKey, escapeDnValue, parseDn } from './dn.js';
export { formatLdif, type LdifAttribute, type LdifEntry, LdifError, loadLdifFile, parseLdif } from './ldif.js';
export { type EntrySnapshot, type MockLdap, type MockLdapOptions, type MockLdapStats, type SearchLogEntry, startMockLdap } from './server.js';
export { isSidText, SidError, sidToBuffer, sidToString } from './sid.js';
export { projectRoot } from './project-root.js';
export { type FaultAction, type FaultOperation, type FaultRule, FaultSet } from './faults.js';
