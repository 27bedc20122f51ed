// Flat config: typescript-eslint recommended, plus the layer boundaries of STYLE.md
// (imports point downward: ui → workers → engine; the engine imports no browser library).
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import globals from 'globals';

const noTests = {
  selector: 'CallExpression[callee.object.name=/^(it|test|describe)$/][callee.property.name=/^(only|skip)$/]',
  message: 'No focused or skipped tests.',
};

export default tseslint.config(
  {
    ignores: [
      'dist/**',
      'node_modules/**',
      'bench/results/**',
      'bench/.build/**',
      'coverage/**',
      'test-results/**',
      '.vitest-attachments/**',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.browser, ...globals.node } },
    rules: {
      eqeqeq: ['error', 'always', { null: 'ignore' }],
      '@typescript-eslint/consistent-type-imports': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-restricted-syntax': ['error', noTests],
    },
  },
  {
    files: ['src/engine/**/*.ts'],
    rules: {
      'no-console': 'error',
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            { group: ['**/workers/**', '**/ui/**'], message: 'The engine imports nothing above it.' },
            {
              group: ['comlink', 'idb', 'lit', 'lit/*', '@lit/*'],
              message: 'The engine stays free of browser libraries; runtimes plug them in.',
            },
          ],
        },
      ],
      // Determinism: time, timers and randomness come from the runtime, never from globals.
      'no-restricted-globals': [
        'error',
        'window',
        'document',
        'self',
        'setTimeout',
        'setInterval',
        'indexedDB',
        'performance',
      ],
      'no-restricted-properties': [
        'error',
        { object: 'Date', property: 'now', message: 'Use the Clock the runtime hands in.' },
        { object: 'Math', property: 'random', message: 'Use the seeded random source the runtime hands in.' },
      ],
    },
  },
  {
    // Runtime adapters may use Comlink (DESIGN.md: it lives in workers and runtime adapters),
    // and the wall clock may use the global timers. Engine logic still may not.
    files: ['src/engine/runtime/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            { group: ['**/workers/**', '**/ui/**'], message: 'The engine imports nothing above it.' },
            { group: ['idb', 'lit', 'lit/*', '@lit/*'], message: 'No browser libraries in the engine.' },
          ],
        },
      ],
    },
  },
  {
    files: ['src/engine/runtime/real-clock.ts'],
    rules: { 'no-restricted-globals': 'off', 'no-restricted-properties': 'off' },
  },
  {
    files: ['src/workers/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['**/ui/**', 'lit', 'lit/*', '@lit/*'],
              message: 'Workers import the engine, never the UI.',
            },
          ],
        },
      ],
    },
  },
  {
    files: ['src/ui/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['**/engine/*/**', 'idb'],
              message: 'The UI talks to the public API (src/engine/index.ts) and the worker runtime only.',
            },
          ],
        },
      ],
    },
  },
);
