// A node:test reporter that prints the run's closing line, "N passed, N failed[, N skipped] (tiers)",
// naming the tiers (test/<tier>/) that had a test pass or fail. It runs beside the spec reporter
// (see test/run.mjs), so CI and people read the same summary; CI parses the line's start.
// When PATCHLINE_SKIP_EDITOR=1 left the editor tier out, a loud line above it says so.

/** The tier of a test file: the folder under test/ that holds it, e.g. "unit". */
export function tierOf(file) {
  return /[\\/]test[\\/]([^\\/]+)[\\/][^\\/]+$/.exec(file ?? '')?.[1];
}

export const editorSkippedLine =
  '!!! EDITOR TIER NOT RUN (PATCHLINE_SKIP_EDITOR=1): nothing in this run shows that Patchline works in VS Code. Unset it to run the editor tier. !!!';

export default async function* summaryReporter(source) {
  let passed = 0;
  let failed = 0;
  let skipped = 0;
  const tiers = [];
  for await (const event of source) {
    if (event.type !== 'test:pass' && event.type !== 'test:fail') continue;
    if (event.data.details?.type === 'suite') continue;
    if (event.data.skip || event.data.todo) {
      skipped++;
      continue;
    }
    if (event.type === 'test:pass') passed++;
    else failed++;
    const tier = tierOf(event.data.file);
    if (tier && !tiers.includes(tier)) tiers.push(tier);
  }
  const ran = tiers.length > 0 ? tiers.join(', ') : 'no tier ran';
  const editorSkipped = process.env.PATCHLINE_SKIP_EDITOR === '1' && !tiers.includes('editor');
  yield `\n${editorSkipped ? `${editorSkippedLine}\n` : ''}${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''} (${ran})\n`;
}
