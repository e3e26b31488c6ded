/** Exit codes are part of the interface: the README documents them and tests spawn the CLI to check them. */
export const EXIT = {
  /** Ran; no finding at or above --fail-on. */
  OK: 0,
  /** Ran; findings at or above --fail-on. */
  FINDINGS: 1,
  /** Bad command line or configuration. */
  USAGE: 2,
  /** Could not connect, bind, or read the directory completely; probe: no host could be probed. */
  CONNECTION: 3,
  /** fix/rollback: some planned changes were not applied (failed, conflicted, or interrupted); the journal says which. */
  WRITE_INCOMPLETE: 4,
  /** fix/rollback --verify-replication: written, but some DC did not hold the change (or could not be read) within --wait. */
  NOT_REPLICATED: 5,
  /** A bug: an error delegaudit did not expect. Run again with --debug and report it. */
  INTERNAL: 70,
} as const;
