// Removes every development-only package from node_modules, the way
// `npm prune --omit=dev` does, from npm's own marks in package-lock.json
// (`"dev": true` on each package only a devDependency needs). The image's build
// stage has the pinned Node but no npm, and the registry is not needed for it.
// Then what Node never loads goes too: source maps, type declarations, and the
// browser / React Native builds of the Azure SDK packages (their package.json
// "exports" hand Node the esm/commonjs builds).
//   node prune-dev.mjs <app dir> [extra package paths to drop…]
import { existsSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';

const [dir = '.', ...extra] = process.argv.slice(2);
const lock = JSON.parse(readFileSync(path.join(dir, 'package-lock.json'), 'utf8'));
if (lock.lockfileVersion < 2 || !lock.packages) {
  console.error('package-lock.json has no "packages" map (lockfileVersion 2+): run npm install with npm 7 or newer');
  process.exit(1);
}
let removed = 0;
for (const [key, pkg] of Object.entries(lock.packages)) {
  if (!key || !(pkg.dev || extra.includes(key))) continue;
  const target = path.join(dir, key);
  if (existsSync(target)) {
    rmSync(target, { recursive: true, force: true });
    removed++;
  }
}
rmSync(path.join(dir, 'node_modules', '.bin'), { recursive: true, force: true });

const NOT_FOR_NODE = /\.(map|d\.ts|d\.cts|d\.mts)$/;
let files = 0;
for (const entry of readdirSync(path.join(dir, 'node_modules'), { recursive: true, withFileTypes: true })) {
  if (entry.isFile() && NOT_FOR_NODE.test(entry.name)) {
    rmSync(path.join(entry.parentPath, entry.name));
    files++;
  }
}
const azure = path.join(dir, 'node_modules', '@azure');
for (const pkg of existsSync(azure) ? readdirSync(azure) : [])
  for (const build of ['browser', 'react-native'])
    rmSync(path.join(azure, pkg, 'dist', build), { recursive: true, force: true });
console.log(
  `removed ${removed} development-only packages, ${files} maps and type declarations, the Azure SDK's browser builds`,
);
