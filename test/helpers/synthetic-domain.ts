/**
 * The lab directory plus N generated Hyper-V hosts in one OU, for tests that must not depend on
 * scale (the benchmark has its own, larger generator).
 */
import { readFileSync } from 'node:fs';
import { type LdifEntry, parseLdif } from '../../mock-ldap/index.js';
import { LAB_LDIF } from './targets.js';

const DOMAIN_SID = 'S-1-5-21-1004336348-1177238915-682003330';
const MIG = 'Microsoft Virtual System Migration Service';

export function labWithHosts(count: number): LdifEntry[] {
  const entries = parseLdif(readFileSync(LAB_LDIF, 'utf8'), 'lab.ldif');
  entries.push({
    dn: 'OU=Generated,DC=corp,DC=example,DC=com',
    line: 0,
    attributes: [
      { name: 'objectClass', values: ['top', 'organizationalUnit'] },
      { name: 'ou', values: ['Generated'] },
    ],
  });
  for (let i = 0; i < count; i += 1) {
    const name = `GEN${String(i).padStart(4, '0')}`;
    const next = `GEN${String((i + 1) % count).padStart(4, '0')}`;
    const fqdn = `${name}.corp.example.com`;
    entries.push({
      dn: `CN=${name},OU=Generated,DC=corp,DC=example,DC=com`,
      line: 0,
      attributes: [
        { name: 'objectClass', values: ['top', 'person', 'organizationalPerson', 'user', 'computer'] },
        { name: 'cn', values: [name] },
        { name: 'sAMAccountName', values: [`${name}$`] },
        { name: 'dNSHostName', values: [fqdn] },
        { name: 'objectSid', values: [`${DOMAIN_SID}-${20000 + i}`] },
        { name: 'primaryGroupID', values: ['515'] },
        { name: 'userAccountControl', values: [String(0x1000 | 0x1000000)] },
        { name: 'servicePrincipalName', values: [`HOST/${name}`, `HOST/${fqdn}`, `${MIG}/${name}`, `${MIG}/${fqdn}`] },
        { name: 'msDS-AllowedToDelegateTo', values: [`${MIG}/${next}`, `cifs/${next}`, `cifs/GHOST${i}`] },
      ],
    });
  }
  return entries;
}
