/**
 * Is our OpenAPI document a superset of the design's, for some paths? Every
 * design path, method, parameter, request body, response status, property,
 * required property and enum value must be present in ours and compatible:
 * what the design lets a client send, we accept (requests: ours may be wider);
 * what we answer, the design's schema accepts (responses: ours may be narrower
 * or add properties). Patterns cannot be compared in general, so they are
 * compared through the examples of both documents. Returns the problems found,
 * each with where it is.
 */
type Doc = Record<string, any>;
type Schema = Record<string, any>;
type Direction = 'request' | 'response';

const METHODS = ['get', 'post', 'put', 'patch', 'delete'] as const;

function resolve(doc: Doc, node: any): any {
  let n = node;
  for (let i = 0; n && typeof n === 'object' && typeof n.$ref === 'string' && i < 20; i++) {
    n = n.$ref
      .replace(/^#\//, '')
      .split('/')
      .reduce((o: any, k: string) => o?.[k.replace(/~1/g, '/').replace(/~0/g, '~')], doc);
  }
  return n;
}

/** anyOf of constants → enum; const → enum; `type: [x, 'null']` and `nullable` → nullable flag. */
function normalize(doc: Doc, raw: any): Schema {
  const s: Schema = { ...resolve(doc, raw) };
  if (Array.isArray(s.anyOf)) {
    const branches = s.anyOf.map((b: any) => resolve(doc, b));
    const nulls = branches.filter(
      (b: any) => b.type === 'null' || (b.nullable === true && Object.keys(b).length === 1),
    );
    const rest = branches.filter((b: any) => !nulls.includes(b));
    if (rest.length && rest.every((b: any) => 'const' in b)) {
      const { anyOf: _a, ...keep } = s;
      return { ...keep, type: typeof rest[0].const, enum: rest.map((b: any) => b.const), nullable: nulls.length > 0 };
    }
    if (nulls.length && rest.length === 1) {
      const { anyOf: _a, ...keep } = s;
      return { ...keep, ...normalize(doc, rest[0]), nullable: true };
    }
    return { ...s, anyOf: branches };
  }
  if ('const' in s) s.enum = [s.const];
  if (Array.isArray(s.type)) {
    s.nullable = s.type.includes('null');
    const t = s.type.filter((x: string) => x !== 'null');
    s.type = t.length === 1 ? t[0] : t;
  }
  return s;
}

const typesOf = (s: Schema): string[] => (s.type === undefined ? [] : Array.isArray(s.type) ? s.type : [s.type]);
/** Does type `a` accept every value of type `b`? */
const accepts = (a: string, b: string): boolean => a === b || (a === 'number' && b === 'integer');
const examplesOf = (s: Schema): unknown[] => [
  ...(s.example !== undefined ? [s.example] : []),
  ...(Array.isArray(s.examples) ? s.examples : []),
];

function compatible(design: Doc, ours: Doc, dRaw: any, oRaw: any, dir: Direction, at: string, out: string[]): void {
  const d = normalize(design, dRaw);
  const o = normalize(ours, oRaw);
  if (Array.isArray(o.anyOf)) {
    // We may answer any branch (each must fit), or accept through any branch (one must fit).
    const results: string[][] = o.anyOf.map((b: any) => {
      const p: string[] = [];
      compatible(design, ours, d, b, dir, at, p);
      return p;
    });
    if (dir === 'response') results.forEach((p) => out.push(...p));
    else if (!results.some((p) => p.length === 0)) out.push(...(results[0] ?? []));
    return;
  }
  const dt = typesOf(d);
  const ot = typesOf(o);
  if (dt.length) {
    if (!ot.length) out.push(`${at}: design says ${dt.join('|')}, ours has no type`);
    else if (dir === 'response' && !ot.every((t) => dt.some((u) => accepts(u, t))))
      out.push(`${at}: we answer ${ot.join('|')}, the design wants ${dt.join('|')}`);
    else if (dir === 'request' && !dt.every((t) => ot.some((u) => accepts(u, t))))
      out.push(`${at}: the design sends ${dt.join('|')}, we accept ${ot.join('|')}`);
  }
  if (dir === 'response' && o.nullable && !d.nullable)
    out.push(`${at}: we may answer null, the design does not allow it`);
  if (Array.isArray(d.enum)) {
    if (Array.isArray(o.enum)) {
      const missing = d.enum.filter((v: unknown) => !o.enum.includes(v));
      if (missing.length) out.push(`${at}: enum values of the design missing in ours: ${missing.join(', ')}`);
    } else if (dir === 'response') out.push(`${at}: design enum ${d.enum.join('|')}, ours is open`);
  }
  if (dir === 'response' && Array.isArray(o.enum) && Array.isArray(d.enum)) {
    const extra = o.enum.filter((v: unknown) => !d.enum.includes(v));
    if (extra.length) out.push(`${at}: we may answer ${extra.join(', ')}, not in the design's enum`);
  }
  if (typeof d.pattern === 'string') {
    const dre = new RegExp(d.pattern);
    const ore = typeof o.pattern === 'string' ? new RegExp(o.pattern) : undefined;
    if (dir === 'response' && !ore && !Array.isArray(o.enum))
      out.push(`${at}: design pattern ${d.pattern}, ours is open`);
    for (const ex of examplesOf(d))
      if (ore && typeof ex === 'string' && !ore.test(ex))
        out.push(`${at}: the design's example "${ex}" fails our pattern`);
    for (const ex of examplesOf(o))
      if (typeof ex === 'string' && !dre.test(ex)) out.push(`${at}: our example "${ex}" fails the design's pattern`);
  }
  if (typeof d.format === 'string' && dir === 'response' && o.format !== d.format && !o.pattern && !o.enum)
    out.push(`${at}: design format ${d.format}, ours ${o.format ?? 'none'}`);
  if (typeof d.format === 'string' && dir === 'request' && o.format && o.format !== d.format)
    out.push(`${at}: the design sends format ${d.format}, we want ${o.format}`);
  for (const [k, cmp] of [
    ['minimum', (dv: number, ov: number) => (dir === 'response' ? ov >= dv : ov <= dv)],
    ['maximum', (dv: number, ov: number) => (dir === 'response' ? ov <= dv : ov >= dv)],
  ] as const) {
    if (typeof d[k] !== 'number') continue;
    if (typeof o[k] !== 'number') {
      if (dir === 'response') out.push(`${at}: design ${k} ${d[k]}, ours unbounded`);
    } else if (!cmp(d[k], o[k])) out.push(`${at}: design ${k} ${d[k]}, ours ${o[k]}`);
  }
  if (d.properties) {
    const op = o.properties ?? {};
    for (const [name, ds] of Object.entries(d.properties)) {
      if (!(name in op)) out.push(`${at}.${name}: missing in ours`);
      else compatible(design, ours, ds, op[name], dir, `${at}.${name}`, out);
    }
    const dreq: string[] = d.required ?? [];
    const oreq: string[] = o.required ?? [];
    if (dir === 'response') {
      const missing = dreq.filter((r) => !oreq.includes(r));
      if (missing.length) out.push(`${at}: required by the design, optional in ours: ${missing.join(', ')}`);
    } else {
      const extra = oreq.filter((r) => !dreq.includes(r));
      if (extra.length) out.push(`${at}: we require what the design does not: ${extra.join(', ')}`);
    }
  }
  if (d.items) {
    if (!o.items) out.push(`${at}[]: missing item schema in ours`);
    else compatible(design, ours, d.items, o.items, dir, `${at}[]`, out);
  }
}

const jsonSchemaOf = (doc: Doc, node: any): any =>
  resolve(doc, resolve(doc, node)?.content?.['application/json']?.schema);

export function supersetProblems(design: Doc, ours: Doc, paths: string[]): string[] {
  const out: string[] = [];
  for (const path of paths) {
    const dp = design.paths?.[path];
    const op = ours.paths?.[path];
    if (!dp) throw new Error(`the design has no path ${path}`);
    if (!op) {
      out.push(`${path}: missing in ours`);
      continue;
    }
    for (const method of METHODS) {
      const d = dp[method];
      if (!d) continue;
      const o = op[method];
      const at = `${method.toUpperCase()} ${path}`;
      if (!o) {
        out.push(`${at}: missing in ours`);
        continue;
      }
      for (const raw of d.parameters ?? []) {
        const dparam = resolve(design, raw);
        const oparam = (o.parameters ?? [])
          .map((p: any) => resolve(ours, p))
          .find((p: any) => p.name === dparam.name && p.in === dparam.in);
        const pat = `${at} ${dparam.in} ${dparam.name}`;
        if (!oparam) out.push(`${pat}: missing in ours`);
        else {
          if (oparam.required && !dparam.required) out.push(`${pat}: required in ours, optional in the design`);
          compatible(design, ours, dparam.schema, oparam.schema, 'request', pat, out);
        }
      }
      if (d.requestBody) {
        const ds = jsonSchemaOf(design, d.requestBody);
        const os = o.requestBody ? jsonSchemaOf(ours, o.requestBody) : undefined;
        if (!os) out.push(`${at} body: missing in ours`);
        else compatible(design, ours, ds, os, 'request', `${at} body`, out);
      }
      for (const [status, dres] of Object.entries<any>(d.responses ?? {})) {
        const ores = o.responses?.[status];
        const rat = `${at} ${status}`;
        if (!ores) {
          out.push(`${rat}: missing in ours`);
          continue;
        }
        const ds = jsonSchemaOf(design, dres);
        if (!ds) continue;
        const os = jsonSchemaOf(ours, ores);
        if (!os) out.push(`${rat}: no JSON schema in ours`);
        else compatible(design, ours, ds, os, 'response', rat, out);
      }
    }
  }
  return out;
}
