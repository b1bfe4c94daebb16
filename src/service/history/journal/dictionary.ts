/**
 * Values stored once per journal file. A dictionary record is `D<index>:<value>`
 * with the value raw (records are length-framed, nothing needs escaping); row
 * records are JSON, so they start with `{`. Definitions come before the rows
 * that use them, in the same file: a torn tail can cut off a definition only
 * together with everything after it.
 */
const DICT = 'D';

export const dictRecord = (index: number, value: string): string => `${DICT}${index}:${value}`;

/** Row records and the dictionary they refer to, from one segment's frames in order. */
export function splitDictionary(frames: readonly string[]): { payloads: string[]; dict: string[] } {
  const payloads: string[] = [];
  const dict: string[] = [];
  for (const f of frames) {
    if (!f.startsWith(DICT)) {
      payloads.push(f);
      continue;
    }
    const colon = f.indexOf(':');
    dict[Number(f.slice(1, colon))] = f.slice(colon + 1);
  }
  return { payloads, dict };
}
