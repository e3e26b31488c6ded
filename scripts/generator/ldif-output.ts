/**
 * The generated objects as LDIF change records that Samba accepts (see scripts/generate-directory.ts).
 */
import { formatLdif, type LdifAttribute } from '../../mock-ldap/ldif.js';
import type { Draft } from './build.js';

export function appendMembers(attributes: LdifAttribute[], more: readonly string[]): LdifAttribute[] {
  const member = attributes.find((a) => a.name === 'member');
  if (member === undefined) return [...attributes, { name: 'member', values: [...more] }];
  return attributes.map((a) => (a === member ? { name: a.name, values: [...a.values, ...more] } : a));
}

/** Attributes Samba assigns itself or that must wait until the members exist. */
const NOT_ON_SAMBA_ADD = new Set(['objectsid', 'whencreated', 'primarygroupid']);

/**
 * Change records for Samba, in an order it accepts: every non-group object, then the groups (each
 * group's members exist by then: generated groups only nest groups made before them), then members
 * added to the lab's groups, then primaryGroupID (AD requires membership of the new primary group
 * first; Samba then drops that member link).
 */
export function toSambaChanges(
  drafts: readonly Draft[],
  extraMembers: ReadonlyMap<string, string[]>,
  primaryGroups: ReadonlyArray<{ dn: string; rid: number; groupDn: string }>,
  labDns: ReadonlySet<string>,
): string {
  const isGroup = (d: Draft): boolean => d.attributes.some((a) => a.name === 'objectClass' && a.values.includes('group'));
  // Groups after everything else, each after the generated groups it contains (depth-first).
  const groups = new Map(drafts.filter(isGroup).map((d) => [d.dn, d]));
  const ordered = drafts.filter((d) => !isGroup(d));
  const placed = new Set<string>();
  const place = (d: Draft): void => {
    if (placed.has(d.dn)) return;
    placed.add(d.dn);
    const members = [...(d.attributes.find((a) => a.name === 'member')?.values ?? []), ...(extraMembers.get(d.dn) ?? [])];
    for (const member of members) {
      const nested = groups.get(member);
      if (nested !== undefined) place(nested);
    }
    ordered.push(d);
  };
  for (const d of groups.values()) place(d);
  const chunks: string[] = ['version: 1'];
  for (const draft of ordered) {
    const more = extraMembers.get(draft.dn);
    const attributes = (more === undefined ? draft.attributes : appendMembers(draft.attributes, more)).filter(
      (a) => !NOT_ON_SAMBA_ADD.has(a.name.toLowerCase()),
    );
    chunks.push(record(draft.dn, 'add', attributes));
  }
  const primary = new Map<string, string[]>();
  for (const p of primaryGroups) primary.set(p.groupDn, [...(primary.get(p.groupDn) ?? []), p.dn]);
  const labGroups = new Set([...extraMembers.keys(), ...primary.keys()].filter((dn) => labDns.has(dn)));
  for (const dn of labGroups) {
    const members = [...(extraMembers.get(dn) ?? []), ...(primary.get(dn) ?? [])];
    chunks.push(
      `${formatLdif([{ dn, attributes: [] }])
        .split('\n\n')[1]!
        .trimEnd()}\nchangetype: modify\n${modifyLines('add', 'member', members)}`,
    );
  }
  for (const p of primaryGroups) {
    chunks.push(
      `${formatLdif([{ dn: p.dn, attributes: [] }])
        .split('\n\n')[1]!
        .trimEnd()}\nchangetype: modify\n${modifyLines('replace', 'primaryGroupID', [String(p.rid)])}`,
    );
  }
  return `${chunks.join('\n\n')}\n`;
}

function record(dn: string, changetype: 'add', attributes: LdifAttribute[]): string {
  const lines = formatLdif([{ dn, attributes }]).split('\n\n')[1]!.trimEnd().split('\n');
  // After the dn line and its folded continuation lines (which start with a space).
  let after = 1;
  while (lines[after]?.startsWith(' ')) after += 1;
  return [...lines.slice(0, after), `changetype: ${changetype}`, ...lines.slice(after)].join('\n');
}

function modifyLines(op: 'add' | 'replace', name: string, values: readonly string[]): string {
  const body = formatLdif([{ dn: 'x', attributes: [{ name, values: [...values] }] }])
    .split('\n\n')[1]!
    .trimEnd()
    .split('\n')
    .slice(1);
  return [`${op}: ${name}`, ...body, '-'].join('\n');
}
