import js from '@eslint/js'
import reactHooks from 'eslint-plugin-react-hooks'
import globals from 'globals'
import tseslint from 'typescript-eslint'

/** Runtime boundaries (STYLE.md rule 1): a directory may import only what its runtime has. */
const nodeBuiltins = { group: ['node:*'], message: 'shared/ and renderer/ run where Node does not.' }
const electronOnlyHere = [
  'electron/main/index.ts',
  'electron/main/platform/**',
  'electron/main/windows/createMainWindow.ts',
  'electron/main/ipc/electronTransport.ts',
  'electron/preload/**',
]

export default tseslint.config(
  {
    ignores: [
      'out/**',
      'dist/**',
      'node_modules/**',
      '.tools/**',
      'test-results/**',
      'playwright-report/**',
      'worker/node_modules/**',
      'worker/.wrangler/**',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node } },
    rules: {
      'no-console': 'error',
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports' }],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-restricted-syntax': [
        'error',
        { selector: 'ExportDefaultDeclaration', message: 'Use named exports (STYLE.md rule 15).' },
      ],
    },
  },
  {
    files: ['shared/**/*.ts'],
    ignores: ['shared/**/*.test.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          paths: ['electron', 'react', 'ws'],
          patterns: [
            nodeBuiltins,
            {
              group: ['**/electron/**', '**/renderer/**', '**/server/**', '**/worker/**'],
              message: 'shared/ imports only shared/.',
            },
          ],
        },
      ],
    },
  },
  {
    files: ['renderer/**/*.{ts,tsx}'],
    languageOptions: { globals: { ...globals.browser } },
    plugins: { 'react-hooks': reactHooks },
    rules: {
      ...reactHooks.configs.recommended.rules,
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          paths: ['electron'],
          patterns: [
            nodeBuiltins,
            {
              group: ['**/electron/**', '**/server/**', '**/worker/**'],
              message: 'The renderer reaches main only through platform/api.ts.',
            },
          ],
        },
      ],
    },
  },
  {
    files: ['electron/main/**/*.ts'],
    ignores: electronOnlyHere,
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          paths: [
            {
              name: 'electron',
              message: 'Only platform adapters import electron, so the web host can run this code in Node.',
              allowTypeImports: true,
            },
          ],
          patterns: [{ group: ['**/renderer/**'], message: 'Main does not import the renderer.' }],
        },
      ],
    },
  },
  {
    files: ['worker/**/*.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          paths: ['electron', 'react'],
          patterns: [
            {
              group: ['**/electron/**', '**/renderer/**', '**/server/**'],
              message: 'The worker imports only shared/.',
            },
          ],
        },
      ],
    },
  },
  {
    // Tool configs are loaded by their tools through a default export.
    files: ['*.config.{ts,js,mjs}', '**/*.config.{ts,js,mjs}'],
    rules: { 'no-restricted-syntax': 'off' },
  },
  {
    files: ['scripts/**', 'bench/**', 'server/**/cli.ts'],
    rules: { 'no-console': 'off' },
  },
)
