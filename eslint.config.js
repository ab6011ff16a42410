// ESLint: typescript-eslint's recommended rules on every package's sources and tests, the
// type-aware rules that catch a promise nobody waits for or handles, and the size limit the
// code is held to (docs/architecture.md, "Keeping the shape").
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['**/dist/**', '**/node_modules/**', 'bench/**', '*.config.js', '*.cjs'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['packages/**/*.ts'],
    languageOptions: { parserOptions: { project: './tsconfig.test.json', tsconfigRootDir: import.meta.dirname } },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/no-unnecessary-type-assertion': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  {
    // The fuzz harness: plain ESM for Node, run by Jazzer.js (docs/operations.md, "Fuzzing").
    files: ['fuzz/**/*.js'],
    languageOptions: { globals: { Buffer: 'readonly', console: 'readonly', process: 'readonly', setImmediate: 'readonly' } },
  },
  {
    files: ['packages/*/src/**/*.ts', 'packages/*/test/**/*.ts'],
    ignores: ['packages/*/test/fixtures/**'],
    rules: { 'max-lines': ['error', { max: 500 }] },
  },
);
