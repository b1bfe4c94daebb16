import type { Command } from 'commander';
import { primaryAs } from '../../platform/roleTargets.js';
import { openTopology } from '../../topology/open.js';
import { Keyring } from '../../service/crypto/keyring.js';
import { rotateKeys } from '../../service/crypto/rotate.js';
import { SecretStore } from '../../system/secrets.js';
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
      const ring = new Keyring(new SecretStore(commandConfig(cmd).dataDir));
      emit({ ok: true, current: ring.current.id, keys: ring.ids() }, globals(cmd), (r) =>
        r.keys.map((k) => `${k}${k === r.current ? '  (current)' : ''}`).join('\n'),
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
