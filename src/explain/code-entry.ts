/** One entry of `delegaudit explain`: a code admins meet, what is known of it, and how well. */
export type CodeKind = 'error code' | 'event ID' | 'TCP port' | 'user right' | 'group';

export interface CodeEntry {
  /** As admins see it: `0x8009030E`, `21024`, `SeEnableDelegationPrivilege`. */
  code: string;
  kind: CodeKind;
  /** Other spellings that find the entry (matched without case, spaces, hyphens or underscores). */
  aliases: string[];
  /** One line, as the message or the name reads. */
  title: string;
  meaning: string;
  causes: string[];
  /** Ids of the rules that detect the cause; their texts come from the registry. */
  rules: string[];
  /** Steps, with commands. */
  fix: string[];
  /** How sure this is, and from which sources. */
  evidence: string;
}
