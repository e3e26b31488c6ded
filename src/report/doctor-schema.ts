/**
 * What `delegaudit doctor` found: each way of connecting tried, and the ones that work.
 */
import type { Wording } from '../errors.js';

export type DoctorCheckName = 'ldaps' | 'starttls' | 'plain-simple-bind' | 'kerberos-signed' | 'kerberos-sealed' | 'kerberos-tls';

export interface DoctorCheck {
  name: DoctorCheckName;
  ok: boolean;
  detail: string;
  /** The detail with the settings it names marked, when it came from an error that names some. */
  wording?: Wording;
}

export interface DoctorReport {
  host: string;
  checks: DoctorCheck[];
  /** The ways that work, best first: what to pass to the other commands. */
  working: DoctorCheckName[];
}
