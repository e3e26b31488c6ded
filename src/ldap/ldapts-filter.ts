/**
 * Our filters (ldap/filter.ts, plain data) as ldapts filter objects: values are passed as values,
 * never spliced into filter text, so ldapts escapes them on the wire.
 */
import { AndFilter, EqualityFilter, ExtensibleFilter, type Filter as LdaptsFilter, NotFilter, OrFilter, PresenceFilter, SubstringFilter } from 'ldapts';
import { type Filter, MATCHING_RULE_BIT_AND } from './filter.js';

export function toLdaptsFilter(filter: Filter): LdaptsFilter {
  switch (filter.op) {
    case 'and':
      return new AndFilter({ filters: filter.parts.map(toLdaptsFilter) });
    case 'or':
      return new OrFilter({ filters: filter.parts.map(toLdaptsFilter) });
    case 'not':
      return new NotFilter({ filter: toLdaptsFilter(filter.part) });
    case 'eq':
      return new EqualityFilter({ attribute: filter.attribute, value: filter.value });
    case 'present':
      return new PresenceFilter({ attribute: filter.attribute });
    case 'prefix':
      return new SubstringFilter({ attribute: filter.attribute, initial: filter.prefix, any: [] });
    case 'bitsAll':
      return new ExtensibleFilter({ matchType: filter.attribute, rule: MATCHING_RULE_BIT_AND, value: String(filter.bits) });
  }
}
