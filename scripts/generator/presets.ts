/**
 * The generator's presets (how much of everything each makes) and the constants of the domain it
 * makes: the lab's domain, names, and the userAccountControl bits it sets.
 */
import { join } from 'node:path';
import { projectRoot } from '../../mock-ldap/project-root.js';

export const PRESETS = ['lab', 'small', 'medium', 'large', 'huge'] as const;
export type Preset = (typeof PRESETS)[number];

/** How much of everything a preset makes. */
export interface Scale {
  /** Ordinary users (staff), privileged and service accounts not included. */
  users: number;
  /** Workstations and member servers, Hyper-V hosts not included. */
  computers: number;
  hosts: number;
  clusterSize: number;
  departments: number;
  projectGroups: number;
  resourceGroups: number;
  /** Administrative user accounts (most of them privileged; a few are former admins with a stale adminCount). */
  admins: number;
  serviceAccounts: number;
}

export const SCALES: Readonly<Record<Exclude<Preset, 'lab'>, Scale>> = {
  small: { users: 800, computers: 150, hosts: 48, clusterSize: 16, departments: 4, projectGroups: 20, resourceGroups: 8, admins: 30, serviceAccounts: 10 },
  medium: {
    users: 8000,
    computers: 1800,
    hosts: 100,
    clusterSize: 16,
    departments: 10,
    projectGroups: 80,
    resourceGroups: 30,
    admins: 60,
    serviceAccounts: 30,
  },
  large: {
    users: 49_600,
    computers: 9500,
    hosts: 500,
    clusterSize: 16,
    departments: 20,
    projectGroups: 400,
    resourceGroups: 150,
    admins: 300,
    serviceAccounts: 100,
  },
  // About five times large's users, four times its computers and hosts: 2,000 Hyper-V hosts in 125 clusters of 16.
  huge: {
    users: 250_000,
    computers: 40_000,
    hosts: 2000,
    clusterSize: 16,
    departments: 40,
    projectGroups: 1600,
    resourceGroups: 600,
    admins: 1200,
    serviceAccounts: 400,
  },
};

export const DOMAIN_DN = 'DC=corp,DC=example,DC=com';
export const DNS_DOMAIN = 'corp.example.com';
export const DOMAIN_SID = 'S-1-5-21-1004336348-1177238915-682003330';
export const MIGRATION = 'Microsoft Virtual System Migration Service';
export const LAB_LDIF = join(projectRoot(), 'mock-ldap', 'fixtures', 'lab.ldif');
export const FIRST_RID = 5000;
export const UAC = {
  ACCOUNTDISABLE: 0x2,
  NORMAL_ACCOUNT: 0x200,
  WORKSTATION_TRUST_ACCOUNT: 0x1000,
  SERVER_TRUST_ACCOUNT: 0x2000,
  DONT_EXPIRE_PASSWORD: 0x10000,
  TRUSTED_FOR_DELEGATION: 0x80000,
  NOT_DELEGATED: 0x100000,
  TRUSTED_TO_AUTH_FOR_DELEGATION: 0x1000000,
} as const;
export const GLOBAL_SECURITY = '-2147483646';
export const USER_CLASSES = ['top', 'person', 'organizationalPerson', 'user'];
export const COMPUTER_CLASSES = [...USER_CLASSES, 'computer'];

/** What the generator made, for the benchmark's table and the tests' expectations. */
export interface DirectorySummary {
  preset: Preset;
  seed: number;
  objects: number;
  users: number;
  computers: number;
  hosts: number;
  clusters: number;
  groups: number;
  /** Groups with more than 1,500 members (AD returns their `member` in ranges). */
  groupsOver1500: number;
  largestGroup: number;
  /** Generated accounts that are privileged (the lab's own not counted). */
  privilegedAccounts: number;
  /** Host states, by name. */
  hostStates: Record<string, number>;
  /** Accounts with at least one delegation, DCs included: what `delegaudit inventory` should list (see delegatingAccounts). */
  delegatingAccounts: number;
  /** Their delegations: the inventory's rows. */
  delegations: number;
}

export const FIRST_NAMES = [
  'Anna',
  'Ben',
  'Carla',
  'David',
  'Elif',
  'Farid',
  'Greta',
  'Hugo',
  'Ines',
  'Jonas',
  'Kira',
  'Lars',
  'Mona',
  'Nils',
  'Olga',
  'Pavel',
  'Quinn',
  'Rosa',
  'Sven',
  'Tara',
  'Udo',
  'Vera',
  'Wim',
  'Xenia',
  'Yusuf',
  'Zoe',
];
export const LAST_NAMES = [
  'Berg',
  'Costa',
  'Dahl',
  'Eriksen',
  'Fischer',
  'Garcia',
  'Hansen',
  'Ito',
  'Jensen',
  'Kowalski',
  'Larsen',
  'Moreau',
  'Novak',
  'Olsen',
  'Petrov',
  'Rossi',
  'Schmidt',
  'Tanaka',
  'Urban',
  'Varga',
  'Weber',
  'Yilmaz',
  'Zimmer',
];
export const TITLES = ['Analyst', 'Engineer', 'Consultant', 'Manager', 'Specialist', 'Coordinator', 'Technician', 'Architect', 'Assistant', 'Director'];
export const SITES = ['BER', 'HAM', 'MUC', 'FRA', 'VIE', 'ZRH', 'AMS', 'CPH'];
