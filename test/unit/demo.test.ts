// `patchline demo`'s last line says what its exit code says: with a step that fails (here the
// check of examples/ reports error findings), it does not end with "safe to propose".
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { runDemo } from '../../server/src/cli/demo';

test('a demo whose check finds errors ends with that, exit 1, not "the patch is safe to propose"', async () => {
  let output = '';
  const code = await runDemo(async () => 1, process.cwd(), (text) => (output += text));
  const last = output.trim().split('\n').pop() ?? '';
  assert.equal(code, 1, output);
  assert.equal(last, 'Demo finished: patchline check found error findings in examples/.');
});
