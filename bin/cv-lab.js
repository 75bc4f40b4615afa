#!/usr/bin/env node
// Entry of the `cv-lab` command. The CLI is TypeScript run through tsx, so a fresh checkout needs
// no build step: `npm ci && npx cv-lab --help`.
import { fileURLToPath } from 'node:url';
import { register } from 'tsx/esm/api';

// The repository's tsconfig, wherever the command runs from: its `paths` resolve the workspace
// packages (`@cv-lab/runtime`) to this checkout's sources (docs/architecture.md, "Layers").
register({ tsconfig: fileURLToPath(new URL('../tsconfig.json', import.meta.url)) });
const { main } = await import('../src/cli/main.ts');
process.exitCode = await main(process.argv);
