// ESLint (typescript-eslint's recommended rules) over the sources, tests and bench; Prettier owns the layout.
import js from '@eslint/js';
import globals from 'globals';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['dist/', 'node_modules/', 'coverage/', 'fixtures/', 'examples/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node } },
    rules: {
      // ANSI escapes and NULs are what the tests look for in terminal output and generated files.
      'no-control-regex': 'off',
      // Kaniko's full-width-space pitfall (U+3000) is written out in comments and test strings.
      'no-irregular-whitespace': [
        'error',
        { skipComments: true, skipStrings: true, skipTemplates: true, skipRegExps: true },
      ],
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' },
      ],
    },
  },
  {
    // Severity comes from the code's doc (src/findings/registry.ts): emit through finding()/unplaced(), never restate it.
    files: ['src/**/*.ts'],
    ignores: ['src/findings/**'],
    rules: {
      'no-restricted-syntax': [
        'error',
        {
          selector: "Property[key.name='severity'][value.type='Literal']",
          message: 'A severity comes from the registry: use finding(), unplaced() or severityOf().',
        },
      ],
    },
  },
);
