// docs/configuration.md, generated from the config schema: `npm run docs:config`
// writes it, test/unit/config-docs.test.ts fails when it and the schema disagree.
//
// Keys, types and defaults come from walking the zod schema (src/config/schema.ts).
// What each key does comes from the JSDoc comment above it in src/config/sections/*.ts,
// read with the TypeScript compiler API — not from zod's .describe()/.meta(). Why: the
// sections already document every key in JSDoc (the house rule), other engineers add
// keys to those files all the time, and this route leaves the files untouched, so
// nobody has to rewrite 250 comments as strings and no merge conflicts with theirs.
// A key without a comment falls back to its zod description (the systemConfig section
// takes its descriptions from config/systemConfigTable.ts that way).
//
// The page's columns are one list (COLUMNS): adding one (e.g. phonebill's
// environment variable names) is one entry there.

import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import type { z } from 'zod';
import { ENV_PREFIX } from '../src/config/load.js';
import { PHONEBILL_ENV_VARS } from '../src/config/phonebillEnv.js';
import { configSchema } from '../src/config/schema.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const CONFIG_DIR = path.join(ROOT, 'src/config');
export const CONFIG_DOC = path.join(ROOT, 'docs/configuration.md');

/** One documented key. `[]` in a path stands for every element of an array. */
export interface ConfigKey {
  path: string;
  type: string;
  /** JSON of the default; undefined = unset unless configured. */
  default?: string;
  description: string;
  /** Plan sections (`§x.y`) the description names, else those of the nearest documented parent. */
  plan: string[];
}

/** The page's columns; one more column is one more entry. */
export const COLUMNS: Array<{ header: string; cell(k: ConfigKey): string }> = [
  { header: 'Key', cell: (k) => `\`${k.path}\`` },
  { header: 'Type', cell: (k) => k.type },
  { header: 'Default', cell: (k) => (k.default === undefined ? '—' : `\`${clip(k.default)}\``) },
  { header: 'Environment variable', cell: (k) => (envName(k.path) ? `\`${envName(k.path)}\`` : '— (set the array)') },
  {
    header: 'phonebill variable',
    cell: (k) =>
      PHONEBILL_ENV_VARS.filter((v) => v.key === k.path)
        .map((v) => `\`${v.name}\``)
        .join(', '),
  },
  { header: 'What it does', cell: (k) => k.description || '—' },
  { header: 'Plan', cell: (k) => k.plan.join(', ') },
];

/** BILL_INQUIRY__SECTION__KEY (load.ts reads it back with camelCase); none for array elements. */
export function envName(keyPath: string): string | undefined {
  if (keyPath.includes('[]')) return undefined;
  return (
    ENV_PREFIX +
    keyPath
      .split('.')
      .map((s) => s.replace(/([A-Z])/g, '_$1').toUpperCase())
      .join('__')
  );
}

// ---- the zod side: keys, types, defaults ------------------------------------------------

type Def = {
  type: string;
  innerType?: z.ZodType;
  in?: z.ZodType;
  shape?: Record<string, z.ZodType>;
  element?: z.ZodType;
  defaultValue?: unknown;
  entries?: Record<string, string>;
  values?: unknown[];
  options?: z.ZodType[];
};
const defOf = (s: z.ZodType): Def => (s as unknown as { _zod: { def: Def } })._zod.def;
const WRAPPERS = new Set(['default', 'prefault', 'optional', 'nullable', 'readonly', 'catch', 'nonoptional']);

/** The schema under its wrappers, the default one of them carries, and its zod description. */
function unwrap(s: z.ZodType): { core: z.ZodType; default?: unknown; description?: string } {
  let core = s;
  let dflt: unknown;
  let description = s.description;
  for (;;) {
    const d = defOf(core);
    if (d.type === 'default' && dflt === undefined) dflt = d.defaultValue;
    if (WRAPPERS.has(d.type) && d.innerType) core = d.innerType;
    else if (d.type === 'pipe' && d.in) core = d.in;
    else break;
    description ??= core.description;
  }
  return { core, ...(dflt !== undefined ? { default: dflt } : {}), ...(description ? { description } : {}) };
}

function typeName(s: z.ZodType): string {
  const d = defOf(s);
  switch (d.type) {
    case 'enum':
      return Object.values(d.entries ?? {})
        .map((v) => `\`${v}\``)
        .join(' | ');
    case 'literal':
      return (d.values ?? []).map((v) => `\`${JSON.stringify(v)}\``).join(' | ');
    case 'union':
      return (d.options ?? []).map((o) => typeName(unwrap(o).core)).join(' | ');
    case 'array':
      return `${typeName(unwrap(d.element!).core)}[]`;
    default:
      return d.type;
  }
}

interface ZodKey {
  path: string;
  type: string;
  default?: unknown;
  zodDescription?: string;
}

/** Every leaf key (and every array of objects) of the schema, in declaration order. */
function zodKeys(schema: z.ZodType, prefix: string, out: ZodKey[]): ZodKey[] {
  const shape = defOf(schema).shape ?? {};
  for (const [name, field] of Object.entries(shape)) {
    const keyPath = prefix ? `${prefix}.${name}` : name;
    const u = unwrap(field);
    const d = defOf(u.core);
    const element = d.type === 'array' ? unwrap(d.element!).core : undefined;
    if (d.type === 'object') {
      zodKeys(u.core, keyPath, out);
      continue;
    }
    out.push({
      path: keyPath,
      type: typeName(u.core),
      ...('default' in u ? { default: u.default } : {}),
      ...(u.description ? { zodDescription: u.description } : {}),
    });
    if (element && defOf(element).type === 'object') zodKeys(element, `${keyPath}[]`, out);
  }
  return out;
}

/** The default at a path of the fully defaulted config (prefaults included); array elements: their own default. */
function defaultAt(defaults: unknown, key: ZodKey): string | undefined {
  if (key.path.includes('[]')) return key.default === undefined ? undefined : JSON.stringify(key.default);
  const v = key.path.split('.').reduce<unknown>((o, k) => (o as Record<string, unknown> | undefined)?.[k], defaults);
  return v === undefined ? undefined : JSON.stringify(v);
}

// ---- the TypeScript side: the JSDoc comment of every key --------------------------------

interface Source {
  file: ts.SourceFile;
  /** Top-level `const X = …` initializers and their JSDoc. */
  vars: Map<string, { init: ts.Expression; doc?: string }>;
}

function readSources(): Map<string, Source> {
  const files = [
    path.join(CONFIG_DIR, 'schema.ts'),
    ...readdirSync(path.join(CONFIG_DIR, 'sections'))
      .filter((f) => f.endsWith('.ts'))
      .sort()
      .map((f) => path.join(CONFIG_DIR, 'sections', f)),
  ];
  const sources = new Map<string, Source>();
  for (const f of files) {
    const file = ts.createSourceFile(f, readFileSync(f, 'utf8'), ts.ScriptTarget.ES2022, true);
    const vars = new Map<string, { init: ts.Expression; doc?: string }>();
    for (const st of file.statements) {
      if (!ts.isVariableStatement(st)) continue;
      const doc = jsDoc(file, st);
      for (const d of st.declarationList.declarations)
        if (ts.isIdentifier(d.name) && d.initializer)
          vars.set(d.name.text, { init: d.initializer, ...(doc ? { doc } : {}) });
    }
    sources.set(f, { file, vars });
  }
  return sources;
}

/** The text of the `/** … *\/` comment right above a node, on one line. */
function jsDoc(file: ts.SourceFile, node: ts.Node): string | undefined {
  const ranges = ts.getLeadingCommentRanges(file.text, node.getFullStart()) ?? [];
  const doc = ranges.filter((r) => file.text.startsWith('/**', r.pos)).pop();
  if (!doc) return undefined;
  return file.text
    .slice(doc.pos + 3, doc.end - 2)
    .split('\n')
    .map((l) => l.replace(/^\s*\* ?/, '').trim())
    .join(' ')
    .replace(/\s+/g, ' ')
    .trim();
}

/** Where an identifier is declared: this file's top level, else any config file (the sections schema.ts imports). */
function lookup(
  sources: Map<string, Source>,
  here: Source,
  name: string,
): { src: Source; init: ts.Expression; doc?: string } | undefined {
  const local = here.vars.get(name);
  if (local) return { src: here, ...local };
  for (const src of sources.values()) {
    const v = src.vars.get(name);
    if (v) return { src, ...v };
  }
  return undefined;
}

/**
 * Follows a zod expression to the object literal of its `z.object({…})`:
 * through method chains (`.default()`, `.prefault()`, `.min()`), `z.array(x)`
 * (the path gains `[]`), identifiers and helper arrow functions (`alert(…)`).
 */
function collect(
  sources: Map<string, Source>,
  src: Source,
  expr: ts.Expression,
  prefix: string,
  out: Map<string, string>,
  depth = 0,
): void {
  if (depth > 20) return;
  const next = (e: ts.Expression, p = prefix, s = src) => collect(sources, s, e, p, out, depth + 1);
  if (ts.isParenthesizedExpression(expr) || ts.isAsExpression(expr) || ts.isSatisfiesExpression(expr))
    return next(expr.expression);
  if (ts.isIdentifier(expr)) {
    const v = lookup(sources, src, expr.text);
    if (!v) return;
    if (v.doc && prefix && !out.has(prefix)) out.set(prefix, v.doc);
    return next(v.init, prefix, v.src);
  }
  if (ts.isArrowFunction(expr) && !ts.isBlock(expr.body)) return next(expr.body);
  if (!ts.isCallExpression(expr)) return;
  const callee = expr.expression;
  if (ts.isPropertyAccessExpression(callee)) {
    const method = callee.name.text;
    const onZ = ts.isIdentifier(callee.expression) && callee.expression.text === 'z';
    if (onZ && method === 'object') {
      const lit = expr.arguments[0];
      if (lit && ts.isObjectLiteralExpression(lit))
        for (const p of lit.properties) {
          if (!ts.isPropertyAssignment(p) || !(ts.isIdentifier(p.name) || ts.isStringLiteral(p.name))) continue;
          const keyPath = prefix ? `${prefix}.${p.name.text}` : p.name.text;
          const doc = jsDoc(src.file, p);
          if (doc) out.set(keyPath, doc);
          next(p.initializer, keyPath);
        }
      return;
    }
    if (onZ && method === 'array' && expr.arguments[0]) return next(expr.arguments[0], `${prefix}[]`);
    if (onZ) return;
    return next(callee.expression);
  }
  if (ts.isIdentifier(callee)) next(callee);
}

/** path → JSDoc text, from schema.ts down through every section. */
export function jsDocByPath(): Map<string, string> {
  const sources = readSources();
  const schema = sources.get(path.join(CONFIG_DIR, 'schema.ts'))!;
  const out = new Map<string, string>();
  collect(sources, schema, schema.vars.get('configSchema')!.init, '', out);
  return out;
}

// ---- the page --------------------------------------------------------------------------

const PLAN_REF = /§\s?\d+(?:\.\d+)*/g;

export function configKeys(): ConfigKey[] {
  const docs = jsDocByPath();
  const defaults = configSchema.parse({});
  return zodKeys(configSchema, '', []).map((k) => {
    const description = docs.get(k.path) ?? k.zodDescription ?? '';
    return {
      path: k.path,
      type: k.type,
      ...(defaultAt(defaults, k) !== undefined ? { default: defaultAt(defaults, k)! } : {}),
      description,
      plan: planRefs(k.path, docs, description),
    };
  });
}

/** `§x.y` named by the key's description, else by its nearest documented parent's. */
function planRefs(keyPath: string, docs: Map<string, string>, description: string): string[] {
  const own = description.match(PLAN_REF);
  if (own) return [...new Set(own.map((r) => r.replace(/\s/g, '')))];
  const parts = keyPath.split('.');
  for (let n = parts.length - 1; n > 0; n--) {
    const refs = docs.get(parts.slice(0, n).join('.'))?.match(PLAN_REF);
    if (refs) return [...new Set(refs.map((r) => r.replace(/\s/g, '')))];
  }
  return [];
}

const cell = (s: string) => s.replace(/\|/g, '\\|').replace(/\n/g, ' ');
const clip = (s: string) => (s.length > 120 ? `${s.slice(0, 117)}…` : s);

export function renderConfigDoc(): string {
  const keys = configKeys();
  const docs = jsDocByPath();
  const sections = [...new Set(keys.map((k) => k.path.split('.')[0]!))];
  const lines = [
    '# Configuration reference',
    '',
    '<!-- Generated by `npm run docs:config` (scripts/configDocs.ts) from the zod schema and the JSDoc comments',
    '     of src/config/sections/*.ts. Do not edit: test/unit/config-docs.test.ts fails when it differs. -->',
    '',
    `Every key of the one typed configuration (\`src/config/\`): ${keys.length} keys, their defaults (the plan's`,
    'values), the environment variable that sets each, what it does and the plan section it comes from.',
    'Precedence: defaults ← JSON file (`--config FILE`, `BILL_INQUIRY_CONFIG`, or `./bill-inquiry.config.json`)',
    '← environment (`BILL_INQUIRY__<SECTION>__<KEY>`, values parsed as JSON when they parse) ← command-line flags.',
    '`[]` stands for every element of an array: set the whole array (JSON) in the file or its variable.',
    "phonebill variable: the variable of phonebill's manifests that sets the key under `BILL_INQUIRY_ENV_PROFILE=phonebill` (src/config/phonebillEnv.ts).",
    '',
  ];
  const bare = keys.filter((k) => !k.description).length;
  if (bare)
    lines.splice(-1, 0, `${bare} keys have no comment of their own yet (—): the text of their section applies.`);
  for (const section of sections) {
    const doc = docs.get(section);
    lines.push(`## \`${section}\``, '');
    if (doc && keys.some((k) => k.path.startsWith(`${section}.`))) lines.push(cell(doc), '');
    lines.push(`| ${COLUMNS.map((c) => c.header).join(' | ')} |`, `|${COLUMNS.map(() => '---').join('|')}|`);
    for (const k of keys.filter((x) => x.path === section || x.path.startsWith(`${section}.`)))
      lines.push(`| ${COLUMNS.map((c) => cell(c.cell(k))).join(' | ')} |`);
    lines.push('');
  }
  return lines.join('\n');
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  writeFileSync(CONFIG_DOC, renderConfigDoc());
  process.stdout.write(`wrote ${path.relative(process.cwd(), CONFIG_DOC)}\n`);
}
