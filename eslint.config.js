// ESLint flat config. `npm run lint` runs it with --max-warnings 0; see docs/architecture.md for the limits.
import js from '@eslint/js';
import comments from '@eslint-community/eslint-plugin-eslint-comments/configs';
import prettier from 'eslint-config-prettier/flat';
import globals from 'globals';
import tseslint from 'typescript-eslint';

const TS = ['**/*.ts'];
const NOT_CLI = 'Nothing below src/cli/ reads process (docs/architecture.md): take what you need as a parameter.';

export default tseslint.config(
  { ignores: ['dist/', 'node_modules/', 'coverage/', '.nyc_output/', '.ad-lab/', '.ad-lab-*/', '.bench/', 'test-output/'] },
  {
    linterOptions: { reportUnusedDisableDirectives: 'error' },
    languageOptions: { globals: globals.node },
  },

  js.configs.recommended,
  comments.recommended,
  { rules: { '@eslint-community/eslint-comments/require-description': ['error', { ignore: ['eslint-enable'] }] } },

  // Every TypeScript file, src/ and beside it: type-checked through tsconfig.json.
  ...tseslint.configs.recommendedTypeChecked.map((config) => ({ ...config, files: TS })),
  ...tseslint.configs.stylisticTypeChecked.map((config) => ({ ...config, files: TS })),
  {
    files: TS,
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      // As tsc's noUnusedLocals: a leading underscore marks a binding left unused on purpose (`const { rules: _ignored, ...rest }`).
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrorsIgnorePattern: '^_', destructuredArrayIgnorePattern: '^_', ignoreRestSiblings: true },
      ],
      // `string[]` for simple element types, `Array<{ ... }>` / `ReadonlyArray<A | B>` for the rest, as the code does.
      '@typescript-eslint/array-type': ['error', { default: 'array-simple' }],
      // Records and env are read with brackets (`env['DELEGAUDIT_PASSWORD']`), as noPropertyAccessFromIndexSignature would ask.
      '@typescript-eslint/dot-notation': ['error', { allowIndexSignaturePropertyAccess: true }],
      // Off: a rule's details type must be a type alias (an interface is not assignable to Record<string, unknown>); options objects stay interfaces.
      '@typescript-eslint/consistent-type-definitions': 'off',
    },
  },

  // src/: the size limits and no process outside cli/.
  {
    files: ['src/**/*.ts'],
    rules: {
      'max-lines': ['error', { max: 300, skipBlankLines: true, skipComments: true }],
      'max-lines-per-function': ['error', { max: 80, skipBlankLines: true, skipComments: true, IIFEs: true }],
      'no-restricted-globals': ['error', { name: 'process', message: NOT_CLI }],
      'no-restricted-properties': ['error', { object: 'globalThis', property: 'process', message: NOT_CLI }],
      'no-restricted-imports': [
        'error',
        {
          paths: [
            { name: 'process', message: NOT_CLI },
            { name: 'node:process', message: NOT_CLI },
          ],
        },
      ],
    },
  },
  // "Also checked" in docs/architecture.md: reporters read rule metadata (no `f.rule === 'HV011'`, no `case 'HV001':`), fix/ reads details through the rules' types.
  {
    files: ['src/report/formats/**/*.ts'],
    rules: {
      'no-restricted-syntax': [
        'error',
        { selector: String.raw`Literal[value=/^(HV|PA|DG)\d{3}$/]`, message: 'A reporter never names a rule id: read the rule metadata.' },
      ],
    },
  },
  {
    files: ['src/fix/**/*.ts'],
    rules: {
      'no-restricted-syntax': [
        'error',
        {
          selector: "TSAsExpression:has(MemberExpression[property.name='details']), TSTypeAssertion:has(MemberExpression[property.name='details'])",
          message: "fix/ never casts a finding's details: read them through the rule's exported details type.",
        },
      ],
    },
  },
  {
    files: ['src/cli/**/*.ts'],
    rules: { 'no-restricted-globals': 'off', 'no-restricted-properties': 'off', 'no-restricted-imports': 'off' },
  },

  // Tests: chai's `expect(x).to.be.true` is an expression statement.
  {
    files: ['test/**/*.ts'],
    languageOptions: { globals: globals.mocha },
    rules: {
      '@typescript-eslint/no-unused-expressions': 'off',
      // Tests match control characters on purpose: ANSI escapes and NUL bytes in hostile directory data.
      'no-control-regex': 'off',
    },
  },

  // Config files in JavaScript are outside tsconfig.json: no type information.
  { files: ['**/*.js', '**/*.cjs', '**/*.mjs'], ...tseslint.configs.disableTypeChecked },
  { files: ['**/*.cjs'], languageOptions: { sourceType: 'commonjs' } },

  // Last: turn off every rule that prettier decides.
  prettier,
);
