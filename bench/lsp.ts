// Keystroke latency over LSP, end to end: dist/server.js over stdio with `patchline.debounceMs`
// set to 0, one didChange (an incremental change, as an editor sends it) and the time until the
// server publishes diagnostics for that version, on the generated 3,000-line file of
// bench/treasury.ts. Two edit kinds, as bench/parser.ts. The peer, in the same run and the same
// server after each kind's edits: the same texts re-opened (didClose + didOpen), which makes the
// server parse the whole file again before it analyses it (OpenZeppelin's sources stay parsed).
// Run: node esbuild.mjs && node --import tsx bench/lsp.ts [edits=200] [reopenEvery=10]   (prints numbers, asserts nothing)
import { rmSync, writeFileSync } from 'node:fs';
import { URI } from 'vscode-uri';
import { LspTestClient } from '../test/protocol/lspClient';
import { createTreasuryProject, editSteps, percentile, summary, type EditKind } from './treasury';

const EDITS = Number(process.argv[2] ?? 200);
const REOPEN_EVERY = Number(process.argv[3] ?? 10);
const WARM_UP_EDITS = 20;
const TARGET_P95_MS = 50;

async function main(): Promise<void> {
  // Every parse is a parse: the on-disk parse cache would answer the peer's re-open (and the first
  // open) from an earlier run, and make the numbers depend on what this machine's cache holds.
  process.env.PATCHLINE_PARSE_CACHE = 'off';
  const { root, file, source } = createTreasuryProject('patchline-bench-lsp-');
  const client = new LspTestClient();
  try {
    const original = source.lines.join('\n');
    writeFileSync(file, original);
    const uri = URI.file(file).toString();
    client.settings = { debounceMs: 0 };
    await client.initialize({ configuration: true, workspaceFolder: root });
    let version = 1;
    let t = performance.now();
    await client.open(uri, original, version);
    await client.diagnosticsAt(uri, version, 120_000);
    console.log(`generated ${file}: ${source.lines.length} lines; server pid ${client.process.pid}`);
    console.log(`first diagnostics after didOpen (parses the file and OpenZeppelin's bases, or reads them from the parse cache): ${(performance.now() - t).toFixed(0)} ms`);

    /** Sends `send` and resolves with the milliseconds until diagnostics for `at` arrive. */
    const timed = async (at: number, send: () => Promise<void>): Promise<number> => {
      const started = performance.now();
      const published = client.diagnosticsAt(uri, at, 60_000);
      await send();
      await published;
      return performance.now() - started;
    };

    for (const [index, kind] of (['function body', 'state variable'] as EditKind[]).entries()) {
      const steps = editSteps(source, kind, WARM_UP_EDITS + EDITS, 2000 + index);
      const edits: number[] = [];
      const reopens: number[] = [];
      for (const [i, step] of steps.entries()) {
        version++;
        const ms = await timed(version, () => client.change(uri, version, [step.change]));
        if (i >= WARM_UP_EDITS) edits.push(ms);
      }
      // The peer, after the edits (so that its full parses' garbage is not collected during them):
      // the same texts, each opened with the server's parse state of this file dropped.
      for (const [i, step] of steps.entries()) {
        if (i < WARM_UP_EDITS || (i - WARM_UP_EDITS) % REOPEN_EVERY !== 0) continue;
        await client.connection.sendNotification('textDocument/didClose', { textDocument: { uri } });
        version++;
        reopens.push(await timed(version, () => client.open(uri, step.text, version)));
      }
      // The next kind's edits start from the generated text.
      await client.connection.sendNotification('textDocument/didClose', { textDocument: { uri } });
      version++;
      await timed(version, () => client.open(uri, original, version));
      const p50 = percentile(edits, 50);
      const p95 = percentile(edits, 95);
      console.log('');
      console.log(`edit: ${kind} (${EDITS} edits after ${WARM_UP_EDITS} warm-up, debounce 0)`);
      console.log(summary('  didChange → publishDiagnostics', edits));
      console.log(summary('  peer: didOpen of the same text', reopens));
      console.log(`  peer / edit: p50 ${(percentile(reopens, 50) / p50).toFixed(1)}x, p95 ${(percentile(reopens, 95) / p95).toFixed(1)}x`);
      console.log(`  target p95 <= ${TARGET_P95_MS} ms: ${p95 <= TARGET_P95_MS ? 'met' : 'NOT met'} (${p95.toFixed(1)} ms)`);
    }
    if (!client.alive) throw new Error(`the server died: ${client.stderr.join('')}`);
  } finally {
    await client.stop();
    rmSync(root, { recursive: true, force: true });
  }
}

main().catch((error) => {
  console.error(error);
  process.exitCode = 1;
});
