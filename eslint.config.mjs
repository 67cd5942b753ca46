// Lint for the TypeScript sources and tests and the plain JavaScript around them (bench,
// examples, scripts, fixtures). Formatting is Prettier's job (npm run format:check).
import js from '@eslint/js';
import globals from 'globals';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['lib/**', 'build/**', 'build-*/**', 'prebuilds/**', 'node_modules/**', 'bench/results/**', 'docs/api/**'] },
  // A disable comment that no longer silences anything is an error: each one must mean something.
  { linterOptions: { reportUnusedDisableDirectives: 'error' } },
  js.configs.recommended,
  {
    // A variable a closure reads before its one assignment (a canceller bound after construction)
    // cannot be const.
    rules: { 'prefer-const': ['error', { ignoreReadBeforeAssign: true }] },
  },
  {
    files: ['**/*.ts', '**/*.mts'],
    extends: [tseslint.configs.recommended],
    rules: {
      // Unused parameters document an interface's shape; a leading underscore marks the rest.
      '@typescript-eslint/no-unused-vars': ['error', { args: 'none', varsIgnorePattern: '^_', caughtErrors: 'none' }],
    },
  },
  {
    files: ['**/*.js', '**/*.cjs'],
    languageOptions: { sourceType: 'commonjs', globals: { ...globals.node } },
    rules: { 'no-unused-vars': ['error', { args: 'none', caughtErrors: 'none', varsIgnorePattern: '^_' }] },
  },
  {
    files: ['**/*.mjs'],
    languageOptions: { sourceType: 'module', globals: { ...globals.node } },
  },
  {
    // The Deferred API and AMP's command schemas type callbacks and schemas generically: `any`
    // there is what lets a Deferred<T> take a callback of any argument type (variance), and
    // `{}` is the empty schema. The rest of src/ must say what it means.
    files: ['src/defer/**/*.ts', 'src/protocols/amp/**/*.ts', 'src/task/defer-later.ts', 'test/**/*.ts'],
    rules: { '@typescript-eslint/no-explicit-any': 'off', '@typescript-eslint/no-empty-object-type': 'off' },
  },
  {
    // The callback loop: `arguments` avoids allocating a rest array in the usual no-args call,
    // and the loop walks a chain of Deferreds starting from this one.
    files: ['src/defer/deferred.ts'],
    rules: { 'prefer-rest-params': 'off', '@typescript-eslint/no-this-alias': 'off' },
  },
  {
    // Files that exist to be type-checked: their variables are read only by the compiler.
    files: ['test/types/**/*.ts'],
    rules: { '@typescript-eslint/no-unused-vars': 'off', 'require-yield': 'off' },
  },
  {
    // Fixtures run with --expose-gc.
    files: ['test/fixtures/**/*.js'],
    languageOptions: { globals: { gc: 'readonly' } },
  },
);
