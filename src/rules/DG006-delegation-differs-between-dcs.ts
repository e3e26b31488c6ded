import type { DelegationState } from '../directory/domain-controllers.js';
import { defineRule } from './rule.js';

/** One DC's view of the account: what DG006 lists per DC. */
export type DcView = {
  dc: string;
  /** The delegation bits of userAccountControl, by name; [] when the DC holds none. */
  flags: string[];
  allowedToDelegateTo: string[];
  allowedToActOnBehalfOf: string[];
};

/** DG006's details: each DC that answered, with what it holds. */
export type DG006Details = {
  dcs: DcView[];
};

function view(dc: string, state: DelegationState | undefined): DcView {
  return {
    dc,
    flags: state?.flags ?? [],
    allowedToDelegateTo: state?.allowedToDelegateTo ?? [],
    allowedToActOnBehalfOf: state?.allowedToActOnBehalfOf ?? [],
  };
}

function said(v: DcView): string {
  const flags = v.flags.length === 0 ? 'no delegation flags' : v.flags.join('+');
  const rbcd = v.allowedToActOnBehalfOf.length === 0 ? '' : `, ${v.allowedToActOnBehalfOf.length} resource-based`;
  return `${v.dc}: ${flags}, ${v.allowedToDelegateTo.length} delegation entries${rbcd}`;
}

export default defineRule<DG006Details>({
  id: 'DG006',
  name: 'delegation-differs-between-dcs',
  severity: 'high',
  category: 'migration',
  concerns: 'delegation',
  title: 'The DCs do not agree on an account’s delegation',
  explain:
    'Every DC holds its own copy of userAccountControl, msDS-AllowedToDelegateTo and msDS-AllowedToActOnBehalfOfOtherIdentity, ' +
    'and a Hyper-V host asks the DC it happens to reach (its site’s, or whichever the DC locator picks) for its tickets. ' +
    'While a change has not replicated, or when replication is broken, a live migration works from one host and fails ' +
    'from another with the same configuration. `audit --compare-dcs` reads those attributes on every DC of the domain ' +
    '(one search per DC) and reports each account they disagree on. Right after a change a difference can be ordinary ' +
    'replication delay; one that stays is a replication problem.',
  remediation:
    'Check replication (repadmin /showrepl, repadmin /replsummary; on Samba, samba-tool drs showrepl), force it ' +
    '(repadmin /syncall /AdeP), then compare again.',
  *check(model) {
    for (const difference of model.dcComparison?.differences ?? []) {
      const dcs = difference.byDc.map(({ dc, state }) => view(dc, state));
      yield {
        subject: difference.account,
        message: `the DCs disagree on ${difference.account.sAMAccountName}'s delegation: ${dcs.map(said).join('; ')}`,
        details: { dcs },
        remediation: `repadmin /syncall /AdeP, then delegaudit audit --compare-dcs (on Samba: samba-tool drs replicate <DC> <source DC> ${model.directory.domainDN})`,
      };
    }
  },
});
