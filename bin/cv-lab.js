#!/usr/bin/env node
// Entry of the `cv-lab` command. The CLI is TypeScript run through tsx, so a fresh checkout needs
// no build step: `npm ci && npx cv-lab --help`.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../src/cli/main.ts');
process.exitCode = await main(process.argv);
