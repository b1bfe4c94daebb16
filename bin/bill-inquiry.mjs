#!/usr/bin/env node
// Runs the CLI from source through tsx so `npm start` needs no build step;
// `npm run build` still type-checks and emits dist/ for packaging.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../src/cli/main.ts');
await main(process.argv);
