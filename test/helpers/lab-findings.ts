/**
 * The lab's default audit findings (every rule runs), as `RULE account`, in report order: severity,
 * then rule, then account. The same on mock-ldap and on Samba.
 */
export const LAB_DG_CRITICAL = ['DG001 APP01$', 'DG002 svc-web', 'DG003 DC01$'];
export const LAB_HV_PA = ['HV001 HV02$', 'HV003 HV03$', 'PA001 admin.nested', 'PA001 admin.primary'];
export const LAB_DG_BELOW_HIGH = ['DG005 svc-web', 'DG004 svc-web'];
export const LAB_FINDINGS = [...LAB_DG_CRITICAL, ...LAB_HV_PA, ...LAB_DG_BELOW_HIGH];
