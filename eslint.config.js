import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import reactHooks from 'eslint-plugin-react-hooks';
import globals from 'globals';

/**
 * One layer rule of docs/architecture.md ("Layers"): files matching `files` may not import
 * `forbidden` (gitignore-style patterns), and `message` says why.
 */
const layer = (files, forbidden, message) => ({
  files,
  rules: { 'no-restricted-imports': ['error', { patterns: [{ group: forbidden, message }] }] },
});

/**
 * What the runtime package's sources may import, as a list of what they may not: any package but
 * tfjs (with the WASM backend's threaded build files) and zod, any path that leaves the package (three levels up from src/ is the repository), and
 * node: modules except in its Node entry.
 */
const runtimePackageImports = (node) => [
  {
    regex: `^(?!@tensorflow/tfjs(-core|-backend-wasm)?$|@tensorflow/tfjs-backend-wasm/wasm-out/|zod$|\\.{1,2}/${node ? '|node:' : ''})`,
    message: 'packages/runtime imports only tfjs, zod and its own files (packages/runtime/README.md).',
  },
  {
    regex: '^(\\.\\./){3,}',
    message: 'packages/runtime imports nothing outside the package (packages/runtime/README.md).',
  },
];

export default tseslint.config(
  { ignores: ['dist', 'node_modules', 'public', '.cache'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.browser, ...globals.node, ...globals.worker } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  {
    files: ['src/app/**/*.{ts,tsx}'],
    plugins: { 'react-hooks': reactHooks },
    rules: { 'react-hooks/rules-of-hooks': 'error', 'react-hooks/exhaustive-deps': 'warn' },
  },
  // The core never reaches into the app, the worker or the CLI (docs/architecture.md, "Layers": data flows one way).
  layer(
    ['src/core/**/*.ts'],
    ['**/app/**', '**/worker/**', '**/cli/**', '**/storage/**', 'react', 'node:*', '@cv-lab/runtime/node'],
    'src/core imports no app, worker, CLI, storage, React or node: (docs/architecture.md, "Layers").',
  ),
  // core/shared is the bottom of the core: it imports nothing else of ours (docs/architecture.md, "Layers").
  layer(
    ['src/core/shared/**/*.ts'],
    ['../*', '../**/*', 'react', 'node:*'],
    'src/core/shared is below the rest of the core and imports nothing of ours.',
  ),
  // The worker depends on core and the browser-storage package only, never on the page (src/app).
  layer(
    ['src/worker/**/*.{ts,tsx}'],
    ['**/app', '**/app/**', '**/cli', '**/cli/**', 'react', 'react-dom', 'react/*', '@cv-lab/runtime/node'],
    'src/worker must not depend on the app or the CLI; shared browser code goes in src/storage.',
  ),
  // Browser storage shared by the app and the worker (src/storage/CONTEXT.md): below both of them.
  layer(
    ['src/storage/**/*.{ts,tsx}'],
    [
      '**/app',
      '**/app/**',
      '**/worker',
      '**/worker/**',
      '**/cli',
      '**/cli/**',
      'react',
      'react-dom',
      'react/*',
      'node:*',
    ],
    'src/storage is imported by the app and the worker and imports neither (nor React, the CLI or node:).',
  ),
  // The sandbox: the only code that runs learner code. It imports core only (docs/architecture.md).
  layer(
    ['src/sandbox/**/*.ts'],
    [
      '**/app',
      '**/app/**',
      '**/worker',
      '**/worker/**',
      '**/cli',
      '**/cli/**',
      '**/storage',
      '**/storage/**',
      'react',
    ],
    'src/sandbox runs learner code and imports core only: it must hold nothing of the host.',
  ),
  // The CLI runs in Node on the core: never the page, its workers or the browser storage
  // (docs/architecture.md, "Layers"). The sandbox child is bundled from src/sandbox by path, not imported.
  layer(
    ['src/cli/**/*.ts'],
    ['**/app', '**/app/**', '**/worker/**', '**/storage/**', '**/sandbox/node-entry*', 'react'],
    'The CLI imports the core and its own modules only (docs/architecture.md, "Layers").',
  ),
  // Build scripts read the core and the few app modules the build must agree with: the page's
  // Content-Security-Policy, the offline indexes' types and the model cache's file names.
  layer(
    ['scripts/**/*.ts'],
    [
      '**/src/app/**/*.ts',
      '**/src/app/**/*.tsx',
      '!**/src/app/security/content-security-policy.ts',
      '!**/src/app/offline/datasets-index.ts',
      '!**/src/app/offline/models-index.ts',
      '**/src/worker/**',
      'react',
    ],
    'Build scripts import the core and the app modules the build must agree with only (docs/architecture.md, "Layers").',
  ),
  // The runtime package (packages/runtime/README.md) is below all of src: its sources import tfjs,
  // zod and each other, nothing of the app; only its Node entry may use node: modules.
  {
    files: ['packages/runtime/src/**/*.ts'],
    ignores: ['packages/runtime/src/node-backend.ts'],
    rules: { 'no-restricted-imports': ['error', { patterns: runtimePackageImports(false) }] },
  },
  {
    files: ['packages/runtime/src/node-backend.ts'],
    rules: { 'no-restricted-imports': ['error', { patterns: runtimePackageImports(true) }] },
  },
  // Its tests run the package as it is, with tfjs; they import nothing of src either.
  layer(
    ['packages/runtime/test/**/*.ts'],
    [
      '**/src/app/**',
      '**/src/core/**',
      '**/src/cli/**',
      '**/src/worker/**',
      '**/src/sandbox/**',
      '**/src/storage/**',
    ],
    'The runtime package is tested on its own and imports nothing of src (packages/runtime/README.md).',
  ),
  // Hostile fixtures are written as an attacker writes them.
  {
    files: ['tests/fixtures/hostile-*/**/*.ts'],
    rules: { '@typescript-eslint/no-explicit-any': 'off' },
  },
);
