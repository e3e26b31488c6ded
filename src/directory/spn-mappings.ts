/**
 * AD's sPNMappings (on CN=Directory Service,CN=Windows NT,CN=Services,<configuration NC>): a ticket for
 * `cifs/name` is issued to the account holding `HOST/name`, and likewise for the other aliases listed.
 * Values look like `host=alerter,appmgmt,…,cifs,…`.
 */

/** The value a fresh Windows forest carries (used until the directory's own value is read). */
export const DEFAULT_SPN_MAPPINGS = [
  'host=alerter,appmgmt,cisvc,clipsrv,browser,dhcp,dnscache,replicator,eventlog,eventsystem,policyagent,oakley,dmserver,dns,mcsvc,fax,msiserver,ias,messenger,netlogon,netman,netdde,netddedsm,nmagent,plugplay,protectedstorage,rasman,rpclocator,rpc,rpcss,remoteaccess,rsvp,samss,scardsvr,scesrv,seclogon,scm,dcom,cifs,spooler,snmp,schedule,tapisrv,trksvr,trkwks,ups,time,wins,www,http,w3svc,iisadmin,msdtc',
];

/** Parses sPNMappings values into alias → serving class, all lower-case. Malformed values are skipped. */
export function parseSpnMappings(values: readonly string[]): Map<string, string> {
  const map = new Map<string, string>();
  for (const value of values) {
    const eq = value.indexOf('=');
    if (eq <= 0) continue;
    const target = value.slice(0, eq).trim().toLowerCase();
    for (const alias of value.slice(eq + 1).split(',')) {
      const key = alias.trim().toLowerCase();
      if (key !== '' && key !== target) map.set(key, target);
    }
  }
  return map;
}

/** The SPN that serves `entry` through a mapping (`cifs/FS01` → `host/FS01`), or undefined when its class is not an alias. */
export function mappedSpn(entry: string, mappings: ReadonlyMap<string, string>): string | undefined {
  const text = entry.trim();
  const slash = text.indexOf('/');
  if (slash <= 0) return undefined;
  const target = mappings.get(text.slice(0, slash).toLowerCase());
  return target === undefined ? undefined : `${target}${text.slice(slash)}`;
}
