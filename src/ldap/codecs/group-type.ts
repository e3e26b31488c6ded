/** groupType bits (MS-ADTS 2.2.12). */
export const GROUP_TYPE = {
  /** A security group (else a distribution group): only these carry privilege. */
  SECURITY_ENABLED: 0x80000000,
} as const;
