import type { Command } from 'commander';
import { primaryAs } from '../../platform/roleTargets.js';
import { openTopology } from '../../topology/open.js';
import { newKeyFiles, openKeyring } from '../../service/crypto/keyring.js';
import { rotateKeys } from '../../service/crypto/rotate.js';
import { commandConfig, globals } from '../context.js';
import { emit, progress } from '../output.js';

export function registerKeysCommands(program: Command): void {
  const keys = program
    .command('keys')
    .description('column-encryption keys (AES-256-GCM for customer names and bill info)');

  keys
    .command('list')
    .description('key ids in the data dir and which one encrypts new values')
    .action((_opts: unknown, cmd: Command) => {
      const ring = openKeyring(commandConfig(cmd));
      emit({ ok: true, current: ring.current.id, keys: ring.ids() }, globals(cmd), (r) =>
        r.keys.map((k) => `${k}${k === r.current ? '  (current)' : ''}`).join('\n'),
      );
    });

  keys
    .command('new')
    .description(
      'write column-key files for a Kubernetes Secret (or Key Vault) shared by every replica: column-key-<kid> and column-key-current, 0600, into --out-dir; the key is never printed',
    )
    .requiredOption('--out-dir <dir>', 'directory to write them to (created 0700; e.g. a copy of the current Secret)')
    .option(
      '--rotate',
      'the directory already holds keys: add one and make it current (then update the Secret and run `keys rotate --resume`)',
    )
    .action((opts: { outDir: string; rotate?: boolean }, cmd: Command) => {
      const r = newKeyFiles(opts.outDir, { rotate: !!opts.rotate });
      emit(
        {
          ok: true,
          ...r,
          secret: `kubectl create secret generic bill-inquiry-column-keys --from-file=${opts.outDir} --dry-run=client -o yaml | kubectl apply -f -`,
        },
        globals(cmd),
        (x) =>
          [
            `column key ${x.keyId} is current in ${x.dir} (${x.keys.length} key(s))`,
            `make it the Secret every replica mounts at service.encryption.keysDir (volume defaultMode 0400):`,
            `  ${x.secret}`,
          ].join('\n'),
      );
    });

  keys
    .command('rotate')
    .description(
      'add a new key, make it current, tell running services (they switch without restart), re-encrypt every stored value in batches',
    )
    .option(
      '--resume',
      're-encrypt to the current key without adding another (after an interrupted rotation); also tells running services again',
    )
    .action(async (opts: { resume?: boolean }, cmd: Command) => {
      const cfg = commandConfig(cmd);
      const target = await primaryAs(openTopology(cfg), 'app');
      const r = await rotateKeys(cfg, target, { onProgress: progress, reuseCurrent: opts.resume });
      emit(
        r,
        globals(cmd),
        (x) =>
          `current key ${x.keyId} (was ${x.previousKeyId}); re-encrypted: ${Object.entries(x.reencrypted)
            .map(([t, n]) => `${t} ${n}`)
            .join(', ')}`,
      );
    });
}
