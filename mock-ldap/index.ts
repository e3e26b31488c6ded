export { type CertificatePaths, ensureCertificates } from './certs.js';
export { dnKey, parseDn } from './dn.js';
export { formatLdif, type LdifEntry, LdifError, loadLdifFile, parseLdif } from './ldif.js';
export { type MockLdap, type MockLdapOptions, startMockLdap } from './server.js';
export { sidToBuffer, sidToString } from './sid.js';
export { type FaultAction } from './faults.js';
