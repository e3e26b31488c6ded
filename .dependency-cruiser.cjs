// What each folder of src/ may import: the "may import" column and the "Also checked" paragraph of
// docs/architecture.md. Rules are by path, for the target layout; `npm run lint` runs `depcruise src`.
//
// Each layer rule names the src/ paths a folder MAY import (its own folder included); any other src/ path is
// an error. npm packages and node: builtins are not limited here, except ldapts (only src/ldap/).

/** A rule: modules under `from` may import, inside src/, only paths matching `allowed`. */
function layer(name, comment, from, allowed) {
  return {
    name,
    comment,
    severity: 'error',
    from: typeof from === 'string' ? { path: from } : from,
    to: { path: '^src/', pathNot: allowed },
  };
}

module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      comment: 'No import cycles anywhere in src/ (type-only imports count too).',
      severity: 'error',
      from: { path: '^src/' },
      to: { circular: true },
    },
    {
      name: 'src-not-to-outside',
      comment: 'Nothing in src/ imports mock-ldap/, test/ or scripts/.',
      severity: 'error',
      from: { path: '^src/' },
      to: { path: '^(mock-ldap|test|scripts)/' },
    },
    {
      name: 'ldapts-only-in-ldap',
      comment: 'src/ldap/ is the only folder that may import the ldapts package.',
      severity: 'error',
      from: { path: '^src/', pathNot: '^src/ldap/' },
      to: { path: '(^|/)node_modules/ldapts/' },
    },
    {
      name: 'cli-commands-independent',
      comment: 'A command never imports another command (src/cli/commands/index.ts, if any, may list them).',
      severity: 'error',
      from: { path: '^src/cli/commands/([^/]+)', pathNot: '^src/cli/commands/index\\.ts$' },
      to: { path: '^src/cli/commands/', pathNot: '^src/cli/commands/$1' },
    },

    layer('ldap', 'ldap/ may import ldap/ and errors.ts (and ldapts).', '^src/ldap/', '^src/(ldap/|errors\\.ts$)'),
    layer('directory', 'directory/ may import directory/, ldap/, text/ and errors.ts.', '^src/directory/', '^src/(directory/|ldap/|text/|errors\\.ts$)'),
    layer('probe', 'probe/ may import probe/, directory/, text/ and errors.ts.', '^src/probe/', '^src/(probe/|directory/|text/|errors\\.ts$)'),
    layer('rules', 'rules/ may import rules/, directory/ and text/.', '^src/rules/', '^src/(rules/|directory/|text/)'),
    layer(
      'fix',
      'fix/ may import fix/, directory/, rules/, ldap/, text/, errors.ts and version.ts.',
      '^src/fix/',
      '^src/(fix/|directory/|rules/|ldap/|text/|errors\\.ts$|version\\.ts$)',
    ),
    layer(
      'report',
      'report/ (schemas and builders, outside formats/) may import report/ but not its formats, directory/, rules/, text/, errors.ts and version.ts.',
      { path: '^src/report/', pathNot: '^src/report/formats/' },
      '^src/(report/(?!formats/)|directory/|rules/|text/|errors\\.ts$|version\\.ts$)',
    ),
    layer(
      'report-formats',
      'report/formats/ may import report/, directory/, rules/ (metadata), fix/, diff/, explain/ (types and data), text/ and errors.ts.',
      '^src/report/formats/',
      '^src/(report/|directory/|rules/|fix/|diff/|explain/|text/|errors\\.ts$)',
    ),
    layer('text', 'text/ imports nothing in src/ but itself.', '^src/text/', '^src/text/'),
    {
      name: 'errors-version-leaf',
      comment: 'errors.ts and version.ts import nothing in src/.',
      severity: 'error',
      from: { path: '^src/(errors|version)\\.ts$' },
      to: { path: '^src/' },
    },
    layer('config', 'config/ may import config/, rules/ (severities), text/ and errors.ts.', '^src/config/', '^src/(config/|rules/|text/|errors\\.ts$)'),
    layer('explain', 'explain/ may import explain/, rules/ and text/.', '^src/explain/', '^src/(explain/|rules/|text/)'),
    layer(
      'diff',
      'diff/ may import diff/, report/ (the schema), ldap/codecs/, rules/ (severities), text/ and errors.ts.',
      '^src/diff/',
      '^src/(diff/|report/schema(-version)?(\\.ts$|/)|ldap/codecs/|rules/|text/|errors\\.ts$)',
    ),
    {
      name: 'operations-not-to-cli',
      comment: 'operations/ may import everything in src/ but cli/.',
      severity: 'error',
      from: { path: '^src/operations/' },
      to: { path: '^src/cli/' },
    },

    // Hygiene.
    {
      name: 'not-to-unresolvable',
      comment: 'An import that resolves to no file or package.',
      severity: 'error',
      from: { path: '^src/' },
      to: { couldNotResolve: true },
    },
    {
      name: 'not-to-dev-dep',
      comment: 'src/ is shipped: it may not import a devDependency (type-only imports of @types are fine).',
      severity: 'error',
      from: { path: '^src/' },
      to: { dependencyTypes: ['npm-dev'], dependencyTypesNot: ['type-only'], pathNot: '(^|/)node_modules/@types/' },
    },
    {
      name: 'no-orphans',
      comment: 'A file in src/ that imports nothing and that nothing imports (knip reports unused files too).',
      severity: 'error',
      from: { orphan: true, path: '^src/', pathNot: ['\\.d\\.ts$', '^src/index\\.ts$', '^src/cli/main\\.ts$'] },
      to: {},
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '^(dist|coverage)/' },
    tsPreCompilationDeps: true,
    // tsconfig.json's NodeNext resolution: `./x.js` specifiers resolve to `./x.ts`.
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      conditionNames: ['import', 'require', 'node', 'default', 'types'],
      mainFields: ['module', 'main', 'types', 'typings'],
      extensions: ['.ts', '.js', '.d.ts', '.json'],
    },
    reporterOptions: { text: { highlightFocused: true } },
  },
};
