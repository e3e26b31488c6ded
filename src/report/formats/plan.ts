/**
 * A plan as text for people, JSON for tools, an LDIF change file for ldapmodify, or a PowerShell
 * script (ActiveDirectory module) for change management. Every value from the directory is encoded
 * for its format: base64 in LDIF where it is not a safe string, single-quoted in PowerShell.
 */
import { psArray, psQuote, terminalSafe } from '../../text/quote.js';
import { modifications } from '../../fix/apply.js';
import { type FixPlan, type PlannedChange, uacAfter } from '../../fix/plan.js';
import { wrapCommands } from '../../text/wrap.js';

function flagLines(change: PlannedChange): string[] {
  const from = change.before.userAccountControl;
  const to = uacAfter(from, change);
  return [...change.setFlags.map((f) => `set ${f}`), ...change.clearFlags.map((f) => `clear ${f}`)].map(
    (text) => `  userAccountControl: ${text} (${from} → ${to})`,
  );
}

/** `label value` on one line, or the value alone on the next (indented, whole) where the line would pass `width`. */
function labelled(label: string, value: string, width: number): string {
  const line = `${label} ${value}`;
  return line.length <= width ? line : `${label}\n    ${value}`;
}

export function formatPlanText(plan: FixPlan, heading: string, width = 120): string {
  const adds = plan.changes.reduce((n, c) => n + c.add.length, 0);
  const removes = plan.changes.reduce((n, c) => n + c.remove.length, 0);
  const flags = plan.changes.reduce((n, c) => n + c.setFlags.length + c.clearFlags.length, 0);
  const out = [
    wrapCommands(
      `${heading}: ${plan.changes.length} account${plan.changes.length === 1 ? '' : 's'}, ${adds} value${adds === 1 ? '' : 's'} to add, ${removes} to remove, ${flags} flag change${flags === 1 ? '' : 's'}`,
      width,
    ),
  ];
  for (const change of plan.changes) {
    out.push(
      '',
      wrapCommands(
        `${terminalSafe(change.dn)} (${terminalSafe(change.sAMAccountName)})${change.resolves.length ? `: resolves ${change.resolves.join(', ')}` : ''}`,
        width,
      ),
    );
    for (const value of change.add) out.push(labelled('  msDS-AllowedToDelegateTo: add', terminalSafe(value), width));
    for (const value of change.remove) out.push(labelled('  msDS-AllowedToDelegateTo: remove', terminalSafe(value), width));
    out.push(...flagLines(change));
  }
  for (const note of plan.skipped) out.push('', wrapCommands(`not planned: ${terminalSafe(note)}`, width));
  return `${out.join('\n')}\n`;
}

/** RFC 2849 SAFE-STRING: printable ASCII, not starting with space, colon or `<`, not ending with space. */
function ldifLine(attribute: string, value: string): string {
  const safe = /^[\x21-\x39\x3b\x3d-\x7e][\x20-\x7e]*$/.test(value) && !value.endsWith(' ');
  return safe ? `${attribute}: ${value}` : `${attribute}:: ${Buffer.from(value, 'utf8').toString('base64')}`;
}

export function formatPlanLdif(plan: FixPlan): string {
  const records = plan.changes.map((change) => {
    const lines = [
      `# ${change.sAMAccountName.replace(/[\r\n]/g, ' ')}${change.resolves.length ? `: resolves ${change.resolves.join(', ')}` : ''}`,
      ldifLine('dn', change.dn),
      'changetype: modify',
    ];
    for (const mod of modifications(change)) {
      lines.push(`${mod.operation}: ${mod.attribute}`, ...mod.values.map((v) => ldifLine(mod.attribute, v)), '-');
    }
    return lines.join('\n');
  });
  return `# delegaudit change plan for ${plan.baseDN} (${plan.url}); apply with ldapmodify -f FILE\nversion: 1\n\n${records.join('\n\n')}\n`;
}

export function formatPlanPowerShell(plan: FixPlan): string {
  const out = [
    `# delegaudit change plan for ${plan.baseDN.replace(/[\r\n]/g, ' ')}; needs the ActiveDirectory module and SeEnableDelegationPrivilege`,
    '#Requires -Modules ActiveDirectory',
    "$ErrorActionPreference = 'Stop'",
  ];
  for (const change of plan.changes) {
    const id = psQuote(change.dn);
    const setObject = change.kind === 'computer' ? 'Set-ADComputer' : change.kind === 'gmsa' || change.kind === 'msa' ? 'Set-ADServiceAccount' : 'Set-ADUser';
    out.push('', `# ${change.sAMAccountName.replace(/[\r\n]/g, ' ')}${change.resolves.length ? `: resolves ${change.resolves.join(', ')}` : ''}`);
    if (change.remove.length) out.push(`${setObject} -Identity ${id} -Remove @{'msDS-AllowedToDelegateTo'=${psArray(change.remove)}}`);
    if (change.add.length) out.push(`${setObject} -Identity ${id} -Add @{'msDS-AllowedToDelegateTo'=${psArray(change.add)}}`);
    const switches = [...change.setFlags.map((f) => [f, '$true'] as const), ...change.clearFlags.map((f) => [f, '$false'] as const)].map(
      ([flag, value]) =>
        `-${{ TRUSTED_TO_AUTH_FOR_DELEGATION: 'TrustedToAuthForDelegation', NOT_DELEGATED: 'AccountNotDelegated', TRUSTED_FOR_DELEGATION: 'TrustedForDelegation' }[flag]} ${value}`,
    );
    if (switches.length) out.push(`Set-ADAccountControl -Identity ${id} ${switches.join(' ')}`);
  }
  out.push('', '# Changes take effect after AD replication and a new ticket: klist purge -li 0x3e7 on each host, or about 15 minutes.');
  return `${out.join('\n')}\n`;
}

export function formatPlanJson(plan: FixPlan): string {
  return `${JSON.stringify(plan, null, 2)}\n`;
}
