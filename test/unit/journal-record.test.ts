import assert from 'node:assert/strict';
import { test } from 'node:test';
import { fromJournal, journalRecord } from '../../src/service/history/journalRecord.js';
import type { HistoryUnit } from '../../src/service/history/records.js';

const bill = {
  request_id: '019ad2b8-7f00-7000-8000-000000000001',
  user_id: 'u1',
  line_number: '010-1234-5678',
  inquiry_month: '2026-11',
  request_time: '2026-11-29T10:00:00.000Z',
  process_time: '2026-11-29T10:00:00.010Z',
  status: 'COMPLETED',
  result_summary: 'bill info from cache',
  bill_info: 'gcm1.k1.iv.tag.ciphertext',
  error_message: null,
};
const kos = {
  bill_request_id: bill.request_id,
  bill_request_time: bill.request_time,
  line_number: bill.line_number,
  inquiry_month: bill.inquiry_month,
  request_time: bill.request_time,
  response_time: bill.process_time,
  result_code: '0000',
  result_message: 'ok',
  kos_data: 'gcm1.k1.a.b.c',
  error_detail: null,
  retry_count: 0,
  breaker_state: 'CLOSED',
  call_id: '2b0c6c1e-5a53-4d8e-9d43-1f0f3b5f6a11',
};

test('a journaled unit reads back exactly, its encrypted bill info from the dictionary', () => {
  const dict: string[] = [];
  const intern = (v: string) => {
    const i = dict.indexOf(v);
    return i >= 0 ? i : dict.push(v) - 1;
  };
  const unit: HistoryUnit = { bill, kos: [kos] };
  const payload = journalRecord(unit)(intern);
  assert.doesNotMatch(payload, /ciphertext/, 'the value itself is in the dictionary, not in the row');
  assert.deepEqual(dict, [bill.bill_info]);
  assert.deepEqual(fromJournal(payload, dict), unit);
  assert.equal(unit.bill!.bill_info, bill.bill_info, 'the queued record is untouched');
});

test('rows without bill info need no dictionary; a reference the file lacks is an error, not a null', () => {
  const processing: HistoryUnit = { bill: { ...bill, status: 'PROCESSING', bill_info: null }, kos: [] };
  const payload = journalRecord(processing)(() => assert.fail('nothing to intern'));
  assert.deepEqual(fromJournal(payload, []), processing);
  const withInfo = journalRecord({ bill, kos: [] })(() => 3);
  assert.throws(() => fromJournal(withInfo, []), /dictionary entry 3/);
});
