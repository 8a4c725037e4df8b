// The parse worker under one long-lived signal, as `patchline check` uses it for every file.
import assert from 'node:assert/strict';
import { getEventListeners } from 'node:events';
import { test } from 'node:test';
import { ParseWorker } from '../../server/src/engine/parse/pool';

test('parses that share a signal leave no abort listener on it once they settle', async () => {
  const worker = new ParseWorker();
  const controller = new AbortController();
  try {
    const results = await Promise.all(Array.from({ length: 15 }, (_, i) => worker.parse(`contract C${i} { uint x; }`, { signal: controller.signal })));
    assert.equal(results.length, 15);
    assert.ok(results.every((r) => r.ast !== undefined && r.errors.length === 0));
    // Fifteen listeners would pass Node's limit of ten and print MaxListenersExceededWarning.
    assert.equal(getEventListeners(controller.signal, 'abort').length, 0);
  } finally {
    await worker.dispose();
  }
});

test('an abort still takes a queued parse out of the queue', async () => {
  const worker = new ParseWorker();
  const controller = new AbortController();
  try {
    const first = worker.parse('contract A { uint x; }');
    const queued = worker.parse('contract B { uint y; }', { signal: controller.signal });
    controller.abort();
    await assert.rejects(queued, { name: 'AbortError' });
    assert.ok((await first).ast);
  } finally {
    await worker.dispose();
  }
});
