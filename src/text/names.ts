/** A sAMAccountName without the `$` that ends a computer's (and a managed service account's): `HV01$` → `HV01`. */
export function withoutDollar(name: string): string {
  return name.replace(/\$$/, '');
}
