import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['node_modules/', 'data/', 'coverage/', 'bench/out/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-console': 'off',
    },
  },
  {
    files: ['matchers/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', { patterns: ['../src/*', '**/src/*', 'pg', 'fastify', 'node:fs', 'fs'] }],
    },
  },
);
