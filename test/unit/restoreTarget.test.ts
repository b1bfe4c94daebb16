import assert from 'node:assert/strict';
import { test } from 'node:test';
import { lsnValue, parseTarget, targetOptions } from '../../src/backup/restoreTarget.js';
import { BillInquiryError } from '../../src/errors.js';

test('restore --to: latest, LSNs and timestamps with a zone', () => {
  assert.deepEqual(parseTarget('latest'), { kind: 'latest' });
  assert.deepEqual(parseTarget('16/b374d848'), { kind: 'lsn', lsn: '16/B374D848' });
  const t = parseTarget('2026-11-24T10:15:00.123456+09:00');
  assert.equal(t.kind, 'time');
  assert.equal(t.kind === 'time' && t.time.toISOString(), '2026-11-24T01:15:00.123Z');
  for (const zone of ['Z', '+09', '+0900', '-05:30'])
    assert.equal(parseTarget(`2026-11-24T10:15:00${zone}`).kind, 'time');
});

test('restore --to refuses a timestamp without zone and anything else, with BAD_TARGET', () => {
  for (const bad of ['2026-11-24T10:15:00', '2026-11-24', 'yesterday', '16/', 'G/1']) {
    assert.throws(
      () => parseTarget(bad),
      (e: unknown) => e instanceof BillInquiryError && e.code === 'BAD_TARGET' && e.message.includes(bad),
      bad,
    );
  }
});

test('pgBackRest options keep the user’s microseconds and use the form recovery_target_time accepts', () => {
  assert.deepEqual(targetOptions(parseTarget('latest')), ['--type=default']);
  assert.deepEqual(targetOptions(parseTarget('2026-11-24T10:15:00.123456Z')), [
    '--type=time',
    '--target=2026-11-24 10:15:00.123456+00',
    '--target-action=promote',
  ]);
  assert.deepEqual(targetOptions(parseTarget('0/3000060')), [
    '--type=lsn',
    '--target=0/3000060',
    '--target-action=promote',
  ]);
});

test('LSNs compare as 64-bit numbers', () => {
  assert.equal(lsnValue('16/B374D848'), 0x16b374d848n);
  assert.ok(lsnValue('1/0') > lsnValue('0/FFFFFFFF'));
});
