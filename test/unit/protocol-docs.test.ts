// docs/protocol.md stays true to server/src/protocol.ts: every custom method, every type and every
// field of its interfaces is documented there, so protocol.ts cannot change without it.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';

const ROOT = path.resolve(__dirname, '../..');

/** Methods (`patchline/…`) with their type arguments, exported type names, and each interface's top-level fields. */
export function protocolSurface(source: string): { methods: { method: string; types: string[] }[]; types: string[]; fields: { type: string; field: string }[] } {
  const methods = [...source.matchAll(/new (?:Request|Notification)Type<([^>]*)>\('([^']+)'\)/g)].map((m) => ({
    method: m[2],
    types: m[1].split(/[,|]/).map((t) => t.trim()).filter((t) => /^[A-Z]\w*$/.test(t)),
  }));
  const types = [...source.matchAll(/^export (?:interface|type) (\w+)/gm)].map((m) => m[1]);
  const reexported = [...source.matchAll(/^export type \{([^}]+)\}/gm)].flatMap((m) => m[1].split(',').map((t) => t.trim()));
  const fields: { type: string; field: string }[] = [];
  for (const m of source.matchAll(/^export interface (\w+) \{\n([\s\S]*?)^\}/gm)) {
    for (const f of m[2].matchAll(/^ {2}(\w+)\??:/gm)) fields.push({ type: m[1], field: f[1] });
  }
  return { methods, types: [...types, ...reexported], fields };
}

test('docs/protocol.md documents every method, type and field of protocol.ts', () => {
  const source = readFileSync(path.join(ROOT, 'server/src/protocol.ts'), 'utf8');
  const docs = readFileSync(path.join(ROOT, 'docs/protocol.md'), 'utf8');
  const surface = protocolSurface(source);
  assert.ok(surface.methods.length >= 7 && surface.fields.length > 30, JSON.stringify(surface.methods));
  const missing = [
    ...surface.methods.filter((m) => !docs.includes(`\`${m.method}\``)).map((m) => `method ${m.method}`),
    ...surface.methods.flatMap((m) => m.types).concat(surface.types).filter((t) => !docs.includes(`\`${t}\``)).map((t) => `type ${t}`),
    ...surface.fields.filter((f) => !docs.includes(`\`${f.field}\``)).map((f) => `field ${f.type}.${f.field}`),
  ];
  assert.deepEqual([...new Set(missing)], [], 'document these in docs/protocol.md');
});

test('the surface reader sees a new method and a new field', () => {
  const surface = protocolSurface(`export interface PingParams {\n  nonce: number;\n  label?: string;\n}\nexport const PingRequest = new RequestType<PingParams, PongResult | null, void>('patchline/ping');\n`);
  assert.deepEqual(surface.methods, [{ method: 'patchline/ping', types: ['PingParams', 'PongResult'] }]);
  assert.deepEqual(surface.fields, [{ type: 'PingParams', field: 'nonce' }, { type: 'PingParams', field: 'label' }]);
});
