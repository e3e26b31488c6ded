/**
 * Service principal names: `serviceClass/host[:port][/serviceName]` (MS-ADTS 2.2.21). AD compares
 * them case-insensitively, and so do we.
 */
export interface Spn {
  /** The service class as written, e.g. `Microsoft Virtual System Migration Service` or `cifs`. */
  serviceClass: string;
  /** The host part as written: a short name or an FQDN. */
  host: string;
  port?: number;
  serviceName?: string;
  /** The original text. */
  text: string;
}

/** Parses an SPN; returns undefined when it has no `/` or an empty class or host. */
export function parseSpn(text: string): Spn | undefined {
  const slash = text.indexOf('/');
  if (slash <= 0) {
    return undefined;
  }
  const serviceClass = text.slice(0, slash);
  const rest = text.slice(slash + 1);
  const nextSlash = rest.indexOf('/');
  const instance = nextSlash === -1 ? rest : rest.slice(0, nextSlash);
  const serviceName = nextSlash === -1 ? undefined : rest.slice(nextSlash + 1);
  const colon = instance.lastIndexOf(':');
  let host = instance;
  let port: number | undefined;
  if (colon !== -1 && /^\d{1,5}$/.test(instance.slice(colon + 1))) {
    host = instance.slice(0, colon);
    port = Number(instance.slice(colon + 1));
  }
  if (host === '') {
    return undefined;
  }
  // Properties added one by one, not spread: the audit parses every delegation entry, 29,000 at the benchmark's large size.
  const spn: Spn = { serviceClass, host, text };
  if (port !== undefined) spn.port = port;
  if (serviceName !== undefined && serviceName !== '') spn.serviceName = serviceName;
  return spn;
}

/** Whether `text`'s service class is `serviceClass` (given in lower case), without parsing the rest. */
export function hasServiceClass(text: string, serviceClass: string): boolean {
  const n = serviceClass.length;
  return text.length > n + 1 && text.charCodeAt(n) === 0x2f && text.slice(0, n).toLowerCase() === serviceClass;
}

export function formatSpn(serviceClass: string, host: string): string {
  return `${serviceClass}/${host}`;
}

/** The key two SPNs share when AD would consider them equal. */
export function spnKey(text: string): string {
  return text.trim().toLowerCase();
}

/** The first DNS label of a host name, lower-cased: `HV01.corp.example.com` → `hv01`. */
export function shortHostKey(host: string): string {
  const dot = host.indexOf('.');
  return (dot === -1 ? host : host.slice(0, dot)).toLowerCase();
}
