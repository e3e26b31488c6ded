/**
 * How the model compares what it holds: DNs and SPNs by their case-folded keys, SIDs by their RID.
 * Rules read these from here, not from ldap/, so that they depend on the model alone.
 */
export { dnKey } from '../ldap/codecs/dn.js';
export { ridOf } from '../ldap/codecs/sid.js';
export { parseSpn, spnKey } from '../ldap/codecs/spn.js';
