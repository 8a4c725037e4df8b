// The LSP's analysis scheduler: a run counts as pending until it settles, and each settled run is
// reported, so the status never says "idle" while an analysis is under way (the Patch panel lists
// contracts when the status turns idle; a premature idle left it empty).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { AnalysisScheduler } from '../../server/src/lsp/scheduler';

test('a run under way is pending, and its end is reported once it has settled', async () => {
  let finish: () => void = () => undefined;
  const seenAtSettle: number[] = [];
  const scheduler: AnalysisScheduler = new AnalysisScheduler(
    () => new Promise<void>((resolve) => (finish = resolve)),
    () => seenAtSettle.push(scheduler.pending),
  );
  scheduler.schedule('file:///a.sol', 1, 0);
  assert.equal(scheduler.pending, 1, 'scheduled');
  await new Promise((resolve) => setTimeout(resolve, 20));
  assert.equal(scheduler.pending, 1, 'the run has started and not finished: still pending');
  assert.deepEqual(seenAtSettle, []);
  finish();
  await new Promise((resolve) => setTimeout(resolve, 20));
  assert.equal(scheduler.pending, 0);
  assert.deepEqual(seenAtSettle, [0], 'settled once, with nothing pending');
});
