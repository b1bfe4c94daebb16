import assert from 'node:assert/strict';
import { test } from 'node:test';
import { decodeFrames, encodeFrames, HEADER_BYTES } from '../../src/service/history/journal/frame.js';

const payloads = ['{"a":1}', '{"bill":{"line_number":"010-1234-5678","bill_info":"gcm1.k1.x.y.z"},"kos":[]}', '"한글"'];

test('frames round-trip: what encodeFrames wrote decodes to the same payloads, multi-byte text included', () => {
  const buf = encodeFrames(payloads);
  assert.equal(
    buf.length,
    payloads.reduce((n, p) => n + HEADER_BYTES + Buffer.byteLength(p), 0),
  );
  assert.deepEqual(decodeFrames(buf), { payloads, validBytes: buf.length, unreadBytes: 0 });
  assert.deepEqual(decodeFrames(Buffer.alloc(0)), { payloads: [], validBytes: 0, unreadBytes: 0 });
});

test('a crash mid-write leaves a torn tail: every whole record before it is read, the torn one is not', () => {
  const whole = encodeFrames(payloads.slice(0, 2));
  const next = encodeFrames(payloads.slice(2));
  // Cut the last record at every possible byte: inside its header, inside its payload.
  for (let cut = 1; cut < next.length; cut++) {
    const d = decodeFrames(Buffer.concat([whole, next.subarray(0, cut)]));
    assert.deepEqual(d.payloads, payloads.slice(0, 2), `cut after ${cut} bytes`);
    assert.equal(d.validBytes, whole.length);
    assert.equal(d.unreadBytes, cut);
  }
});

test('a power loss leaves zeros or garbage where pages never reached the disk: not read as records', () => {
  const whole = encodeFrames(payloads);
  // Zeros: a zero-length record with CRC 0 would pass a CRC check; the magic stops it.
  assert.deepEqual(decodeFrames(Buffer.concat([whole, Buffer.alloc(4096)])).payloads, payloads);
  // A flipped payload byte fails the CRC; reading stops there.
  const flipped = Buffer.from(whole);
  const secondPayloadAt = HEADER_BYTES + Buffer.byteLength(payloads[0]!) + HEADER_BYTES;
  flipped[secondPayloadAt + 3]! ^= 0xff;
  const d = decodeFrames(flipped);
  assert.deepEqual(d.payloads, payloads.slice(0, 1));
  assert.equal(d.unreadBytes, whole.length - d.validBytes);
  // A length field claiming more than the file holds is a torn record, not a read past the end.
  const long = encodeFrames(['{"x":1}']);
  long.writeUInt32LE(1 << 20, 4);
  assert.deepEqual(decodeFrames(long).payloads, []);
});
