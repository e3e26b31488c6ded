import { shortName } from '../directory/account.js';
import { classifyEntry } from './classify-entry.js';
import { defineRule } from './rule.js';
import { listSome } from './remediation.js';
import { psArray, psQuote } from '../text/quote.js';

const REASONS = {
  'other-service': 'a service other than cifs or migration',
  'file-server': 'cifs on a computer that is not a Hyper-V host (expected only for a file server holding VM storage)',
  'domain-controller': "a domain controller's service",
  krbtgt: 'krbtgt',
  'not-an-spn': 'not a valid SPN',
} as const;

export default defineRule({
  id: 'HV010',
  name: 'delegation-beyond-migration',
  severity: 'medium',
  category: 'security',
  concerns: 'hyper-v-hosts',
  title: "Host delegates to services other than its peers' cifs and migration",
  explain:
    'With protocol transition a host can impersonate any user, without their password, to every service in its list. ' +
    "Entries beyond its peers' cifs and migration services widen that reach. cifs on a file server that stores virtual " +
    "machines (SMB 3) is a legitimate exception; a domain controller's service or krbtgt is never one (critical).",
  remediation: 'Remove the entries the host does not need; keep cifs on file servers that hold its virtual machines.',
  *check(model) {
    for (const host of model.hosts) {
      const beyond: Array<{ entry: string; reason: string }> = [];
      let critical = false;
      for (const entry of host.extra) {
        const verdict = classifyEntry(model, host, entry);
        if (verdict.kind !== 'beyond') continue;
        beyond.push({ entry, reason: verdict.reason });
        critical ||= verdict.critical;
      }
      if (beyond.length === 0) continue;
      const summary = listSome(
        beyond.map((b) => `${b.entry} (${REASONS[b.reason as keyof typeof REASONS]})`),
        '; ',
      );
      yield {
        subject: host.account,
        severity: critical ? 'critical' : 'medium',
        message: `${shortName(host.account)} delegates beyond live migration: ${summary}`,
        details: { entries: beyond },
        remediation: `Review, then remove what is not needed: Set-ADComputer -Identity ${psQuote(host.account.dn)} -Remove @{'msDS-AllowedToDelegateTo'=${psArray(beyond.map((b) => b.entry))}}`,
      };
    }
  },
});
