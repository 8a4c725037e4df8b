// The language server's idle collection: after a burst of work and a pause, a full garbage
// collection gives the burst's garbage back (bench/memory.ts measures the server's RSS with it).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { IdleCollection } from '../../server/src/lsp/idle-collection';

test('a pause after work collects the garbage the work left, without --expose-gc', async () => {
  assert.equal(typeof (globalThis as { gc?: unknown }).gc, 'undefined', 'the test must run without --expose-gc');
  const collection = new IdleCollection(50);
  // Garbage in large-object space, which only a full collection reclaims.
  let garbage: number[][] | undefined = Array.from({ length: 40 }, () => new Array<number>(200_000).fill(1));
  garbage = undefined;
  void garbage;
  const before = process.memoryUsage().heapUsed;
  collection.touch();
  await new Promise((resolve) => setTimeout(resolve, 400));
  const after = process.memoryUsage().heapUsed;
  collection.dispose();
  assert.ok(before - after > 30 * 1024 * 1024, `heap before ${(before / 2 ** 20).toFixed(0)} MB, after the pause ${(after / 2 ** 20).toFixed(0)} MB`);
});

test('work that goes on keeps postponing the collection', async () => {
  let collected = 0;
  const collection = new IdleCollection(100);
  (collection as unknown as { collect: () => void }).collect = () => collected++;
  for (let i = 0; i < 5; i++) {
    collection.touch();
    await new Promise((resolve) => setTimeout(resolve, 40));
  }
  assert.equal(collected, 0, 'collected while work went on');
  await new Promise((resolve) => setTimeout(resolve, 250));
  assert.equal(collected, 1, 'one collection after the pause');
  collection.dispose();
});
