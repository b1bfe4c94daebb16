import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { test } from 'node:test';
import { classifyPgbackrest } from '../../src/backup/pgbackrest.js';
import { ERROR_CODES } from '../../src/errorCodes.js';
import { API_ERRORS } from '../../src/service/apiErrors.js';
import { BillInquiryError, causeChain, errorCode } from '../../src/errors.js';

const DOC = new URL('../../docs/errors.md', import.meta.url);
const BEGIN = '<!-- cli-codes:begin -->';
const END = '<!-- cli-codes:end -->';

/** Markdown table cell: a pipe would end the cell. */
const cell = (text: string): string => text.replace(/\|/g, '\\|');

/** The CLI table of docs/errors.md, rendered from ERROR_CODES (WRITE_DOCS=1 rewrites the file). */
function cliTable(): string {
  const rows = Object.entries(ERROR_CODES).map(
    ([code, [meaning, action]]) => `| \`${code}\` | ${cell(meaning)} | ${cell(action)} |`,
  );
  return ['| Code | Meaning | What to do |', '|---|---|---|', ...rows].join('\n');
}

/** The API table of docs/errors.md, rendered from API_ERRORS. */
function apiTable(): string {
  const rows = Object.entries(API_ERRORS).map(
    ([code, [status, design, meaning, action]]) =>
      `| ${status} | \`${code}\` | ${design ? 'yes' : ''} | ${cell(meaning)} | ${cell(action)} |`,
  );
  return ['| HTTP | Code | In the design | Meaning | What to do |', '|---|---|---|---|---|', ...rows].join('\n');
}

/** `doc` with the text between `begin` and `end` replaced by `table`. */
function withTable(doc: string, begin: string, end: string, table: string): string {
  const [head, rest] = doc.split(begin);
  const tail = rest?.split(end)[1];
  assert.ok(head !== undefined && tail !== undefined, `docs/errors.md lacks the ${begin} … ${end} markers`);
  return `${head}${begin}\n${table}\n${end}${tail}`;
}

test('docs/errors.md lists every CLI and API error code with its meaning and action', () => {
  const doc = readFileSync(DOC, 'utf8');
  const expected = withTable(
    withTable(doc, BEGIN, END, cliTable()),
    '<!-- api-codes:begin -->',
    '<!-- api-codes:end -->',
    apiTable(),
  );
  if (process.env.WRITE_DOCS) return writeFileSync(DOC, expected);
  // Compared as a boolean: on a mismatch the message says how to fix it instead of printing both pages.
  assert.ok(doc === expected, 'docs/errors.md is out of date: run WRITE_DOCS=1 npm run test:unit');
});

test('causeChain walks every cause, outermost first, and stops on a cycle', () => {
  const root = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' });
  const mid = new BillInquiryError('DB_UNREACHABLE', 'cannot reach PostgreSQL', 'start it', { cause: root });
  const top = new BillInquiryError('APPLY_FAILED', 'db apply failed', undefined, { cause: mid });
  assert.deepEqual(causeChain(top), [
    'BillInquiryError [DB_UNREACHABLE]: cannot reach PostgreSQL — start it',
    'Error [ECONNREFUSED]: connect ECONNREFUSED 127.0.0.1:5432',
  ]);
  assert.deepEqual(causeChain(new Error('x', { cause: { code: 55, stderr: 'missing' } })), [
    '{"code":55,"stderr":"missing"}',
  ]);
  const a: Error & { cause?: unknown } = new Error('a');
  a.cause = a;
  assert.equal(causeChain(a).length, 10);
  assert.equal(errorCode(new TypeError('boom')), 'INTERNAL');
});

test('pgBackRest failures are classified by exit code', () => {
  assert.equal(classifyPgbackrest(95, ''), 'BACKUP_PASSPHRASE');
  assert.equal(classifyPgbackrest(29, ''), 'BACKUP_PASSPHRASE');
  assert.equal(classifyPgbackrest(55, ''), 'BACKUP_REPO_MISSING');
  assert.equal(classifyPgbackrest(103, ''), 'BACKUP_REPO_MISSING');
  assert.equal(classifyPgbackrest(50, ''), 'BACKUP_LOCKED');
  assert.equal(classifyPgbackrest(105, ''), 'REPO_CREDENTIALS_REJECTED');
  assert.equal(
    classifyPgbackrest(39, 'ERROR: [039]: HTTP request failed with 403 (Forbidden)'),
    'REPO_CREDENTIALS_REJECTED',
  );
  assert.equal(classifyPgbackrest(39, 'ERROR: [039]: HTTP request failed with 500'), 'PGBACKREST_FAILED');
  assert.equal(classifyPgbackrest(27, 'config'), 'PGBACKREST_FAILED');
  assert.equal(classifyPgbackrest(undefined, ''), 'PGBACKREST_FAILED');
});
