import { BerWriter } from 'ldapts';

/**
 * Fault injection: tests make the mock misbehave the ways a real DC or network does, per request.
 * A rule matches requests by operation (and optionally by text in the search base or filter, or the
 * modify's DN), counts them, and fires on the nth match for `times` matches.
 */

export type FaultOperation = 'bind' | 'search' | 'modify' | 'any';

export type FaultAction =
  /** Answer with this LDAP result code instead (51 busy, 52 unavailable, 11 adminLimitExceeded, 3 timeLimitExceeded, 4 sizeLimitExceeded, 10 referral…). */
  | { type: 'result'; code: number; message?: string; referral?: string }
  /** Handle the request normally after a delay. */
  | { type: 'delay'; ms: number }
  /** Search: send this many entries, then drop the connection. */
  | { type: 'close-after-entries'; entries: number }
  /** Drop the connection without handling the request. */
  | { type: 'close' }
  /** Handle the request (a modify is applied), then drop the connection before answering. */
  | { type: 'close-after-apply' }
  /** Answer with bytes that are not a valid LDAP message. */
  | { type: 'malformed' };

export interface FaultRule {
  on: FaultOperation;
  /** Only requests whose search base, filter or modify DN contains this text (case-insensitive). Default: all. */
  match?: string;
  /** Fire from the nth matching request on (1-based). Default 1. */
  nth?: number;
  /** How many times to fire. Default 1. */
  times?: number;
  action: FaultAction;
}

interface ActiveRule extends FaultRule {
  seen: number;
  fired: number;
}

export class FaultSet {
  private rules: ActiveRule[] = [];
  /** New connections are dropped at once while true. */
  refuseConnections = false;
  /** How many faults fired, for tests that count them. */
  fired = 0;

  add(rule: FaultRule): void {
    this.rules.push({ ...rule, seen: 0, fired: 0 });
  }

  clear(): void {
    this.rules = [];
    this.refuseConnections = false;
  }

  /** The action for this request, if a rule fires; consumes it. */
  take(operation: Exclude<FaultOperation, 'any'>, text: string): FaultAction | undefined {
    for (const rule of this.rules) {
      if (rule.on !== 'any' && rule.on !== operation) continue;
      if (rule.match !== undefined && !text.toLowerCase().includes(rule.match.toLowerCase())) continue;
      rule.seen += 1;
      if (rule.seen < (rule.nth ?? 1) || rule.fired >= (rule.times ?? 1)) continue;
      rule.fired += 1;
      this.fired += 1;
      return rule.action;
    }
    return undefined;
  }
}

/** A well-framed LDAPMessage for the request's ID whose protocolOp ([APPLICATION 30]) does not exist. */
export function malformedMessage(messageId: number): Buffer {
  const writer = new BerWriter();
  writer.startSequence();
  writer.writeInt(messageId);
  writer.startSequence(0x7e);
  writer.endSequence();
  writer.endSequence();
  return writer.buffer;
}
