/**
 * userAccountControl flags, by name. Values from MS-ADTS 2.2.16 ("userAccountControl Bits").
 */
export const UAC = {
  SCRIPT: 0x1,
  ACCOUNTDISABLE: 0x2,
  HOMEDIR_REQUIRED: 0x8,
  LOCKOUT: 0x10,
  PASSWD_NOTREQD: 0x20,
  PASSWD_CANT_CHANGE: 0x40,
  ENCRYPTED_TEXT_PWD_ALLOWED: 0x80,
  TEMP_DUPLICATE_ACCOUNT: 0x100,
  NORMAL_ACCOUNT: 0x200,
  INTERDOMAIN_TRUST_ACCOUNT: 0x800,
  WORKSTATION_TRUST_ACCOUNT: 0x1000,
  SERVER_TRUST_ACCOUNT: 0x2000,
  DONT_EXPIRE_PASSWORD: 0x10000,
  MNS_LOGON_ACCOUNT: 0x20000,
  SMARTCARD_REQUIRED: 0x40000,
  TRUSTED_FOR_DELEGATION: 0x80000,
  NOT_DELEGATED: 0x100000,
  USE_DES_KEY_ONLY: 0x200000,
  DONT_REQ_PREAUTH: 0x400000,
  PASSWORD_EXPIRED: 0x800000,
  TRUSTED_TO_AUTH_FOR_DELEGATION: 0x1000000,
  PARTIAL_SECRETS_ACCOUNT: 0x4000000,
} as const;

export type UacFlag = keyof typeof UAC;

/** The flag names in bit order, for decoding. */
const FLAG_NAMES = Object.keys(UAC) as UacFlag[];

/** Parses the decimal text AD serves. Returns undefined for anything that is not a 32-bit integer. */
export function parseUac(text: string | undefined): number | undefined {
  if (text === undefined || !/^-?\d+$/.test(text.trim())) {
    return undefined;
  }
  const value = Number(text.trim());
  if (!Number.isSafeInteger(value) || value < -0x80000000 || value > 0xffffffff) {
    return undefined;
  }
  return value >>> 0;
}

/** The names of the flags set in `value`; unknown bits are reported as hex. */
export function decodeUac(value: number): string[] {
  const names: string[] = FLAG_NAMES.filter((name) => (value & UAC[name]) !== 0);
  const known = FLAG_NAMES.reduce((mask, name) => mask | UAC[name], 0);
  const unknown = (value & ~known) >>> 0;
  if (unknown !== 0) {
    names.push(`0x${unknown.toString(16)}`);
  }
  return names;
}

/** Builds a value from flag names (the inverse of decodeUac for known flags). */
export function encodeUac(flags: readonly UacFlag[]): number {
  return flags.reduce((value, name) => (value | UAC[name]) >>> 0, 0);
}

export function hasFlag(value: number, flag: UacFlag): boolean {
  return (value & UAC[flag]) !== 0;
}

/** Returns `value` with `flag` set or cleared; no other bit changes. */
export function withFlag(value: number, flag: UacFlag, on: boolean): number {
  return (on ? value | UAC[flag] : value & ~UAC[flag]) >>> 0;
}
