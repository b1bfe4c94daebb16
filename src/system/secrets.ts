import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { BillInquiryError } from '../errors.js';
import { ensureDir } from './osUser.js';

/**
 * Secrets live in `<dataDir>/secrets/<name>` (dir 0700, files 0600), generated
 * on first use, or come from the environment: BILL_INQUIRY_SECRET_<NAME>
 * (name upper-cased, `-` and `.` as `_`). Nothing secret is in the repo.
 */
export class SecretStore {
  readonly dir: string;
  constructor(
    dataDir: string,
    private readonly env: NodeJS.ProcessEnv = process.env,
    /** Another directory than `<dataDir>/secrets`, e.g. a mounted Kubernetes Secret (service.encryption.keysDir). */
    dir?: string,
  ) {
    this.dir = dir ?? path.join(dataDir, 'secrets');
  }

  static envName(name: string): string {
    return `BILL_INQUIRY_SECRET_${name.toUpperCase().replace(/[^A-Z0-9]/g, '_')}`;
  }

  /** The secret's value; generated (32 url-safe chars, 192 bits) and stored if absent. */
  get(name: string, generate: () => string = strongPassword): string {
    const fromEnv = this.env[SecretStore.envName(name)];
    if (fromEnv) return fromEnv;
    const file = this.file(name);
    if (existsSync(file)) return this.read(file);
    const value = generate();
    this.put(name, value);
    return value;
  }

  /** The stored secret, or undefined — never generates. */
  peek(name: string): string | undefined {
    const fromEnv = this.env[SecretStore.envName(name)];
    if (fromEnv) return fromEnv;
    const file = this.file(name);
    return existsSync(file) ? this.read(file) : undefined;
  }

  put(name: string, value: string): void {
    ensureDir(this.dir, 0o700);
    chmodSync(this.dir, 0o700);
    const file = this.file(name);
    writeFileSync(file, value, { mode: 0o600 });
    chmodSync(file, 0o600);
  }

  file(name: string): string {
    if (!/^[a-z0-9][a-z0-9._-]*$/.test(name)) throw new Error(`bad secret name ${name}`);
    return path.join(this.dir, name);
  }

  private read(file: string): string {
    const mode = statSync(file).mode & 0o777;
    if (mode & 0o077) {
      throw new BillInquiryError(
        'SECRET_MODE',
        `secret file ${file} is readable by others (mode ${mode.toString(8)})`,
        `chmod 600 ${file} (a mounted Kubernetes Secret: defaultMode 0400 in its volume)`,
      );
    }
    return readFileSync(file, 'utf8').trim();
  }
}

export const strongPassword = (): string => randomBytes(24).toString('base64url');
