// Fork simulation time: the demo's upgrade (VaultV1 → VaultV2 behind a UUPS proxy owned by a
// TimelockController) simulated on a fork of a local anvil chain, directly and through an HTTP
// proxy that adds 50 ms to every upstream request (an RPC provider's latency); then the extra time
// of replaying 20 recent transactions to the proxy (local fork, replay on vs off).
// Run: node --import tsx bench/simulate.ts [runs]   (prints numbers, asserts nothing)
import { createServer, type Server } from 'node:http';
import { join } from 'node:path';
import { startAnvil } from '../server/src/engine/chain/anvil';
import { loadStandardArtifacts, patchlineRoot } from '../server/src/engine/chain/artifacts';
import { connectChain, sendAndConfirm } from '../server/src/engine/chain/clients';
import { deployTimelockedVault } from '../server/src/engine/chain/deploy';
import { ProjectAnalyzer } from '../server/src/engine/project';
import { simulateUpgrade, type SimulationReport, type SimulationRequest } from '../server/src/engine/simulate';
import { encodeFunctionData } from 'viem';

const runs = Number(process.argv[2] ?? 5);
const LATENCY_MS = 50;

/** Forwards JSON-RPC POSTs to `upstream` after `delayMs`; counts the HTTP requests it forwards. */
async function delayingProxy(upstream: string, delayMs: number): Promise<{ url: string; server: Server; requests: () => number; reset: () => void }> {
  let count = 0;
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', async () => {
      count++;
      await new Promise((r) => setTimeout(r, delayMs));
      try {
        const answer = await fetch(upstream, { method: 'POST', headers: { 'content-type': 'application/json' }, body: Buffer.concat(chunks) });
        res.writeHead(answer.status, { 'content-type': 'application/json' });
        res.end(Buffer.from(await answer.arrayBuffer()));
      } catch (error) {
        res.writeHead(502);
        res.end(String(error));
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  return { url: `http://127.0.0.1:${port}`, server, requests: () => count, reset: () => (count = 0) };
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

function stepLine(reports: SimulationReport[]): string {
  const steps = reports[0].steps.map((s) => s.step);
  return steps.map((step) => `${step} ${median(reports.map((r) => r.steps.find((s) => s.step === step)?.durationMs ?? 0))}`).join(', ');
}

async function main(): Promise<void> {
  const artifacts = await loadStandardArtifacts();
  const chainA = await startAnvil({});
  const proxy = await delayingProxy(chainA.rpcUrl, LATENCY_MS);
  try {
    const clients = await connectChain(chainA.rpcUrl);
    const [deployer, proposer, depositor] = (await clients.wallet.getAddresses()) as `0x${string}`[];
    const demo = await deployTimelockedVault(clients, artifacts, { from: deployer, proposer, minDelay: 3600n });
    await sendAndConfirm(clients, { from: depositor, to: demo.proxy, value: 10n ** 18n, data: encodeFunctionData({ abi: artifacts.get('VaultV1').abi, functionName: 'deposit' }) });
    const v2File = join(patchlineRoot(), 'examples', 'contracts', 'VaultV2.sol');
    const baseline = new ProjectAnalyzer(patchlineRoot()).analyze(v2File).baselines.get('VaultV2')?.layout;

    const request = (rpcUrl: string): SimulationRequest => ({
      rpcUrl,
      proxy: demo.proxy,
      implementation: { kind: 'artifact', artifact: artifacts.get('VaultV2') },
      call: { signature: 'initializeV2(uint16)', args: ['250'] },
      baseline: { layout: baseline, abi: artifacts.get('VaultV1').abi },
      calls: [{ signature: 'withdrawalFeeBps() returns (uint16)', expect: '250' }],
      // The upgrade alone here; the replay is measured below.
      replayBlocks: 0,
    });

    const results: Record<string, { ms: number[]; reports: SimulationReport[]; requests: number[] }> = {};
    for (const [label, url] of [['local fork', chainA.rpcUrl], [`+${LATENCY_MS} ms per upstream request`, proxy.url]] as const) {
      await simulateUpgrade(request(url)); // warm-up (module loading, JIT)
      results[label] = { ms: [], reports: [], requests: [] };
      for (let i = 0; i < runs; i++) {
        proxy.reset();
        const t = performance.now();
        const report = await simulateUpgrade(request(url));
        results[label].ms.push(performance.now() - t);
        results[label].reports.push(report);
        results[label].requests.push(proxy.requests());
        if (report.verdict !== 'pass') console.log(`  (run ${i + 1}: verdict ${report.verdict} ${report.error?.message ?? ''})`);
      }
    }
    const [local, slow] = Object.keys(results);
    for (const label of [local, slow]) {
      const r = results[label];
      const upstream = label === slow ? `, ${median(r.requests)} upstream HTTP requests` : '';
      console.log(`${label}: median ${median(r.ms).toFixed(0)} ms over ${runs} runs (min ${Math.min(...r.ms).toFixed(0)}, max ${Math.max(...r.ms).toFixed(0)})${upstream}`);
      console.log(`  steps (median ms): ${stepLine(r.reports)}`);
    }
    console.log(`ratio slow / local: ${(median(results[slow].ms) / median(results[local].ms)).toFixed(2)}`);
    console.log(`targets: local ≤ 1500 ms, +${LATENCY_MS} ms ≤ 3000 ms`);

    // Replay: 20 deposits in the last blocks, replayed before and after the upgrade.
    const deposit = encodeFunctionData({ abi: artifacts.get('VaultV1').abi, functionName: 'deposit' });
    for (let i = 0; i < 19; i++) await sendAndConfirm(clients, { from: depositor, to: demo.proxy, value: 10n ** 15n, data: deposit });
    const timed = async (replayBlocks: number, rpcUrl = chainA.rpcUrl) => {
      const ms: number[] = [];
      const reports: SimulationReport[] = [];
      let replayed = '';
      for (let i = 0; i < runs; i++) {
        const t = performance.now();
        const report = await simulateUpgrade({ ...request(rpcUrl), replayBlocks });
        ms.push(performance.now() - t);
        reports.push(report);
        replayed = report.checks.find((c) => c.id === 'replay')?.summary ?? '';
      }
      return { median: median(ms), replayed, steps: stepLine(reports) };
    };
    const off = await timed(0);
    const on = await timed(50);
    console.log(`replay (local fork): ${on.replayed}`);
    console.log(`  median ${on.median.toFixed(0)} ms with replay, ${off.median.toFixed(0)} ms without: +${(on.median - off.median).toFixed(0)} ms (target ≤ +3000 ms for 20 transactions)`);
    // The same replay on the fork whose upstream adds 50 ms per request (blocks and call trees come from it).
    const offSlow = await timed(0, proxy.url);
    const onSlow = await timed(50, proxy.url);
    console.log(`replay (+${LATENCY_MS} ms per upstream request): median ${onSlow.median.toFixed(0)} ms with replay, ${offSlow.median.toFixed(0)} ms without: +${(onSlow.median - offSlow.median).toFixed(0)} ms`);
    // The replay runs in the steps 'before' (find, trace, replay) and 'checks' (replay after the upgrade).
    console.log(`  steps with replay (median ms): ${onSlow.steps}`);
    console.log(`  steps without:                 ${offSlow.steps}`);
  } finally {
    proxy.server.close();
    await chainA.stop();
  }
}

main().catch((error) => {
  console.error(error);
  process.exitCode = 1;
});
