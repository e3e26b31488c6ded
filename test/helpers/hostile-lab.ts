/**
 * The lab directory plus Hyper-V hosts whose names attack the report formats: HTML markup, a
 * spreadsheet formula, Markdown table and mention syntax with a line break. Real AD refuses most of
 * these characters in sAMAccountName; mock-ldap serves them, and a report must still show them as text.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { type LdifEntry, parseLdif } from '../../mock-ldap/index.js';
import { projectRoot } from '../../mock-ldap/project-root.js';

const LAB_LDIF = join(projectRoot(), 'mock-ldap', 'fixtures', 'lab.ldif');

export const HOSTILE = {
  html: 'HV09<img src=x onerror=document.body.dataset.pwned=1>',
  formula: '=HYPERLINK("evil")',
  markdown: '-HV11|`x` **b**\n@admins #12',
} as const;

const MIG = 'Microsoft Virtual System Migration Service';

function host(cn: string, short: string, rid: number): LdifEntry {
  const attribute = (name: string, ...values: string[]) => ({ name, values });
  return {
    dn: `CN=${cn},OU=Hyper-V,DC=corp,DC=example,DC=com`,
    line: 0,
    attributes: [
      attribute('objectClass', 'top', 'person', 'organizationalPerson', 'user', 'computer'),
      attribute('cn', cn),
      attribute('sAMAccountName', `${short}$`),
      attribute('dNSHostName', `${cn.toLowerCase()}.corp.example.com`),
      attribute('objectSid', `S-1-5-21-1004336348-1177238915-682003330-${rid}`),
      attribute('primaryGroupID', '515'),
      attribute('userAccountControl', '16781312'),
      attribute('servicePrincipalName', `${MIG}/${short}`, `${MIG}/${cn.toLowerCase()}.corp.example.com`),
      attribute('whenCreated', '20200101000000.0Z'),
    ],
  };
}

export function hostileLabEntries(): LdifEntry[] {
  return [
    ...parseLdif(readFileSync(LAB_LDIF, 'utf8'), 'lab.ldif'),
    host('HV09', HOSTILE.html, 1190),
    host('HV10', HOSTILE.formula, 1191),
    host('HV11', HOSTILE.markdown, 1192),
  ];
}
