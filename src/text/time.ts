/**
 * AD's GeneralizedTime (`20170315143000.0Z`) as people read it: `2017-03-15 14:30:00 UTC`. Anything
 * that is not GeneralizedTime in UTC comes back unchanged, so nothing is lost.
 */
export function readableTime(value: string): string {
  const match = /^(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})(?:[.,]\d+)?Z$/.exec(value);
  if (match === null) return value;
  const [, year, month, day, hour, minute, second] = match;
  return `${year}-${month}-${day} ${hour}:${minute}:${second} UTC`;
}
