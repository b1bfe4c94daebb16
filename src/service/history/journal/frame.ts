import { crc32 } from 'node:zlib';

/**
 * The journal's on-disk record: `BIJ1` magic, payload length (u32 LE), CRC-32
 * of the payload (u32 LE), then the payload (UTF-8 JSON). The magic makes a
 * zeroed region (a power loss leaves zeros where pages never reached the disk)
 * unreadable rather than an empty record whose CRC happens to match; the CRC
 * catches a record cut short by a crash mid-write.
 */
const MAGIC = 0x314a4942; // 'BIJ1' read as u32 LE
export const HEADER_BYTES = 12;
/** A record larger than this is corruption, not data: one request's rows are a few kilobytes. */
export const MAX_PAYLOAD_BYTES = 16 << 20;

/** One buffer holding `payloads` framed back to back: what one group commit writes. */
export function encodeFrames(payloads: readonly string[]): Buffer {
  let total = 0;
  const lengths = payloads.map((p) => {
    const n = Buffer.byteLength(p);
    total += HEADER_BYTES + n;
    return n;
  });
  const out = Buffer.allocUnsafe(total);
  let at = 0;
  payloads.forEach((p, i) => {
    const n = lengths[i]!;
    out.write(p, at + HEADER_BYTES, n, 'utf8');
    out.writeUInt32LE(MAGIC, at);
    out.writeUInt32LE(n, at + 4);
    out.writeUInt32LE(crc32(out.subarray(at + HEADER_BYTES, at + HEADER_BYTES + n)), at + 8);
    at += HEADER_BYTES + n;
  });
  return out;
}

export interface Decoded {
  payloads: string[];
  /** Bytes from the start that hold whole, intact records. */
  validBytes: number;
  /**
   * Bytes after them that could not be read: a record torn by a crash or a
   * power loss mid-write (the normal case, always at the tail), or damage.
   * Reading stops at the first bad record, so anything after it is not read.
   */
  unreadBytes: number;
}

/** Every intact record from the start of `buf`, up to the first one that is torn or damaged. */
export function decodeFrames(buf: Buffer): Decoded {
  const payloads: string[] = [];
  let at = 0;
  while (buf.length - at >= HEADER_BYTES) {
    if (buf.readUInt32LE(at) !== MAGIC) break;
    const n = buf.readUInt32LE(at + 4);
    if (n > MAX_PAYLOAD_BYTES || at + HEADER_BYTES + n > buf.length) break;
    const payload = buf.subarray(at + HEADER_BYTES, at + HEADER_BYTES + n);
    if (crc32(payload) !== buf.readUInt32LE(at + 8)) break;
    payloads.push(payload.toString('utf8'));
    at += HEADER_BYTES + n;
  }
  return { payloads, validBytes: at, unreadBytes: buf.length - at };
}
