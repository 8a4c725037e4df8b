// The editor tier: the extension packaged as a .vsix, installed in a real VS Code (code-server
// 4.139.1, VS Code 1.139) and driven from Chromium.
//  a) the mocha suites of test/editor/suite run inside the extension host (the payload and
//     smoke-test-driver mechanism of VS Code's own browser integration tests); each mocha test
//     is reported here as a subtest;
//  b) UI tests on the installed .vsix: quick open a .sol file, see the squiggle, the Problems entry
//     and the Patch view; a storage collision (Problems entry, slot hover, inlay hints); the
//     pause-unguarded light-bulb fix;
//  c) the Patch panel on the repository's extension: simulate VaultV2 on the local demo chain,
//     export its proposal, follow it in the Proposals section through a schedule, and simulate
//     its execution now.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, statSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { format } from 'node:util';
import { after, before, describe, test } from 'node:test';
import type { Browser, FrameLocator, Page } from 'playwright-core';
import { buildEditorSuites } from './buildSuites';
import { parseAbi } from 'viem';
import { connectChain, sendAndConfirm } from '../../server/src/engine/chain/clients';
import { editorHostProblem, launchChromium, repoRoot, startCodeServer, type CodeServer } from './codeServer';
import { parseResultLine, type ResultLine } from './suite/results';
import { editorLine, firstResultMs, goToLine, pointAt, quickOpen, resultMs, screenshotOnFailure, showProblems, workbenchContext, workbenchLoadMs } from './workbench';

const fixtureWorkspace = join(repoRoot, 'test', 'fixtures', 'editor', 'workspace');
const exampleWorkspace = join(repoRoot, 'examples');
const vsixPath = join(repoRoot, 'patchline.vsix');
const readmeShot = join(repoRoot, 'media', 'screenshot.png');
const brokenFile = 'VaultV2.sol';
// The mocha suites' own waits are bounded too (test/editor/suite); this catches a workbench that never runs them.
const extensionTestsTimeoutMs = 300_000;

/** The 1-based number of the first line of fixture `relativePath` that contains `text`. */
function fixtureLine(relativePath: string, text: string): number {
  const index = readFileSync(join(fixtureWorkspace, relativePath), 'utf8').split('\n').findIndex((line) => line.includes(text));
  if (index < 0) throw new Error(`${relativePath} has no line containing \`${text}\``);
  return index + 1;
}

/** A copy of examples/ (VaultV1 and its patch VaultV2) whose node_modules is the repository's, for the OpenZeppelin imports. */
function copyOfExampleWorkspace(): string {
  const dir = mkdtempSync(join(tmpdir(), 'patchline-editor-examples-'));
  cpSync(exampleWorkspace, dir, { recursive: true, filter: (source) => !/[\\/](proposals|\.patchline|node_modules)$/.test(source) });
  symlinkSync(join(repoRoot, 'node_modules'), join(dir, 'node_modules'), 'dir');
  return dir;
}

function copyOfFixtureWorkspace(): string {
  const dir = mkdtempSync(join(tmpdir(), 'patchline-editor-workspace-'));
  cpSync(fixtureWorkspace, dir, { recursive: true });
  return dir;
}


/** The README's picture: the squiggle with its hover, the Problems entry and the Patch view. */
async function saveReadmeScreenshot(page: Page): Promise<void> {
  // The squiggle is a decoration under the text layer: move the mouse there rather than hover it.
  const box = await page.locator('.monaco-editor .squiggly-error').first().boundingBox();
  if (box) await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
  // The hover is decoration for the picture, not something under test.
  await page.locator('.monaco-hover', { hasText: 'Syntax error' }).waitFor({ timeout: 5_000 }).catch(() => undefined);
  await page.screenshot({ path: readmeShot });
}

interface ExtensionHostRun {
  exitCode: number;
  tests: Extract<ResultLine, { kind: 'test' }>[];
  end: Extract<ResultLine, { kind: 'end' }> | undefined;
  /** The workbench's and extension host's console, formatted, for failure messages. */
  log: string[];
}

/** Opens a workbench whose payload runs the built suites in the extension host; resolves on its exit. */
async function runExtensionHostSuites(server: CodeServer, browser: Browser, suiteEntry: string, workspace: string): Promise<ExtensionHostRun> {
  const context = await workbenchContext(browser);
  try {
    const page = await context.newPage();
    const run: ExtensionHostRun = { exitCode: -1, tests: [], end: undefined, log: [] };
    let onExit: (code: number) => void = () => undefined;
    const exited = new Promise<number>((resolve) => (onExit = resolve));
    await page.exposeFunction('codeAutomationLog', (type: string, args: unknown[]) => {
      run.log.push(`[${type}] ${format(...args)}`);
      const result = typeof args[0] === 'string' ? parseResultLine(args[0]) : undefined;
      if (result?.kind === 'test') run.tests.push(result);
      else if (result?.kind === 'end') run.end = result;
    });
    await page.exposeFunction('codeAutomationExit', (code: number) => onExit(code));
    await page.goto(
      server.workbenchUrl(workspace, [
        ['extensionDevelopmentPath', server.remoteUri(repoRoot)],
        ['extensionTestsPath', server.remoteUri(suiteEntry)],
      ]),
    );
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<'timeout'>((resolve) => (timer = setTimeout(() => resolve('timeout'), extensionTestsTimeoutMs)));
    const outcome = await Promise.race([exited, timedOut]);
    clearTimeout(timer);
    if (outcome === 'timeout') {
      await screenshotOnFailure(page, 'extension-host-timeout', async () => {
        throw new Error(
          `The extension tests did not finish within ${extensionTestsTimeoutMs / 1000} s.\n` +
            `Workbench log (last 60 lines):\n${run.log.slice(-60).join('\n')}\ncode-server output (last 3000 characters):\n${server.output().slice(-3000)}`,
        );
      });
    }
    run.exitCode = outcome as number;
    return run;
  } finally {
    await context.close();
  }
}

const hostProblem = editorHostProblem();
if (process.env.PATCHLINE_SKIP_EDITOR === '1') {
  // The one way to leave the tier out; the summary line (test/summary-reporter.mjs) says so loudly.
  test('the editor tier', { skip: 'PATCHLINE_SKIP_EDITOR=1' }, () => undefined);
} else if (hostProblem) {
  // Never a skip: without this tier nothing shows that Patchline works in VS Code, so a run without it fails.
  test('the editor tier can run (code-server and Chromium are installed)', () => {
    const installError = process.env.PATCHLINE_EDITOR_HOST_INSTALL_ERROR;
    assert.fail(installError ? `The editor host could not be installed:\n${installError}\n${hostProblem}` : hostProblem);
  });
} else {
  // A bound on the whole tier, so a hung editor fails the run instead of stalling CI (about 2 minutes
  // normally, 6 on a machine shared by many jobs).
  describe('editor tier (code-server 4.139.1, Chromium)', { timeout: 12 * 60_000 }, () => {
    let server: CodeServer;
    let browser: Browser;
    let suiteEntry: string;
    const workspaces: string[] = [];

    before(async () => {
      const packaged = spawnSync('npm', ['run', 'package'], { cwd: repoRoot, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
      if (packaged.status !== 0) throw new Error(`npm run package failed:\n${packaged.stdout}\n${packaged.stderr}`);
      suiteEntry = await buildEditorSuites();
      server = await startCodeServer({ vsix: vsixPath, smokeTestDriver: true });
      browser = await launchChromium();
    });

    after(async () => {
      await browser?.close();
      await server?.stop();
      for (const dir of workspaces) rmSync(dir, { recursive: true, force: true });
    });

    test('npm run package makes a .vsix under 15 MB', () => {
      const size = statSync(vsixPath).size;
      assert.ok(size < 15 * 1024 * 1024, `patchline.vsix is ${(size / 1024 / 1024).toFixed(1)} MB`);
    });

    test('mocha suites in the extension host', async (t) => {
      const workspace = copyOfFixtureWorkspace();
      workspaces.push(workspace);
      const run = await runExtensionHostSuites(server, browser, suiteEntry, workspace);
      const logTail = `Extension host log (last 80 lines):\n${run.log.slice(-80).join('\n')}`;
      assert.ok(run.tests.length > 0, `No mocha test reported a result (exit code ${run.exitCode}).\n${logTail}`);
      for (const result of run.tests) {
        await t.test(result.title, { skip: result.state === 'skipped' }, () => {
          if (result.state === 'failed') assert.fail(result.error ?? 'failed');
        });
      }
      assert.ok(run.end, `The mocha run reported no end line.\n${logTail}`);
      assert.equal(run.tests.length, run.end.passed + run.end.failed + run.end.skipped, 'some result lines were lost');
      assert.equal(run.exitCode, run.end.failed > 0 ? 1 : 0, `unexpected extension host exit code.\n${logTail}`);
    });

    describe('workbench UI on the installed .vsix', () => {
      let page: Page;

      before(async () => {
        const workspace = copyOfFixtureWorkspace();
        workspaces.push(workspace);
        const context = await workbenchContext(browser, { viewport: { width: 1280, height: 800 } });
        page = await context.newPage();
        await screenshotOnFailure(page, 'workbench-load', async () => {
          await page.goto(server.workbenchUrl(workspace));
          await page.locator('.monaco-workbench .part.activitybar').waitFor({ timeout: workbenchLoadMs });
          // The explorer lists the workspace once the remote file system is connected.
          await page.locator('.explorer-folders-view .monaco-list-row', { hasText: 'contracts' }).first().waitFor({ timeout: workbenchLoadMs });
        });
      });

      // One workbench (one extension host and language server) at a time on a 2-core machine.
      after(async () => {
        await page?.context().close();
      });

      test('quick open (Ctrl+P) opens a .sol file and its syntax error is squiggled', async () => {
        await screenshotOnFailure(page, 'quick-open', async () => {
          await quickOpen(page, brokenFile);
          await page.locator('.monaco-editor .squiggly-error').first().waitFor({ timeout: firstResultMs });
        });
      });

      test('the Problems panel lists the syntax error from patchline', async () => {
        await screenshotOnFailure(page, 'problems', async () => {
          await page.keyboard.press('Control+Shift+M');
          const row = page.locator('.markers-panel .monaco-list-row', { hasText: 'Syntax error' }).first();
          await row.waitFor({ timeout: resultMs });
          const text = await row.innerText();
          assert.match(text, /Syntax error: missing ';'/);
          assert.match(text, /patchline/);
          assert.match(text, /syntax-error/);
        });
      });

      test('the Patchline activity-bar view shows the Patch webview', async () => {
        await screenshotOnFailure(page, 'patch-view', async () => {
          await page.locator('.activitybar .action-item a[aria-label^="Patchline"]').click();
          await page.locator('.part.sidebar .composite.title', { hasText: 'Patch' }).waitFor();
          // The webview's content lives in an inner frame. Listing VaultV2 (annotated
          // `@custom:oz-upgrades-from`) takes the whole round trip: view → host → server → view.
          const view = page.frameLocator('iframe.webview.ready').frameLocator('iframe#active-frame');
          await view.locator('#app', { hasText: 'VaultV2' }).waitFor({ timeout: resultMs });
          if (process.env.PATCHLINE_SCREENSHOT === '1') await saveReadmeScreenshot(page);
        });
      });

      // LedgerV2 inserts `fee` (line 10) above the variables of its baseline Ledger: balances moves from slot 1 to slot 2.
      test('a storage collision is squiggled, listed as storage-inserted, and the hover shows the slot', async () => {
        await screenshotOnFailure(page, 'storage-collision', async () => {
          await quickOpen(page, 'LedgerV2.sol');
          await page.locator('.part.editor .monaco-editor .squiggly-error').first().waitFor({ timeout: resultMs });

          await showProblems(page);
          const row = page.locator('.markers-panel .monaco-list-row', { hasText: 'storage-inserted' }).first();
          await row.waitFor({ timeout: resultMs });
          const text = await row.innerText();
          assert.match(text, /`fee` .*is inserted where the baseline has `owner`/);
          assert.match(text, /patchline/);
          assert.match(text, /Ln 10, Col 5/);

          const hover = page.locator('.monaco-hover', { hasText: /balances\W+storage of/ });
          await pointAt(page, 'public balances;', 'balances', hover);
          const hoverText = await hover.innerText();
          assert.match(hoverText, /slot\s+0x2 \(2\)/);
          assert.match(hoverText, /offset\s+0/);
          assert.match(hoverText, /bytes\s+32/);
          assert.match(hoverText, /baseline\s+slot 0x1 \(1\) offset 0 in Ledger/);
          await page.mouse.move(0, 0);

          // The slot inlay hints are rendered as text after each declaration.
          for (const [declaration, hint] of [['public epoch;', 'slot 1 +20'], ['public balances;', 'slot 2']]) {
            await editorLine(page, declaration).filter({ hasText: hint.replace(/ /g, '\u00a0') }).or(editorLine(page, declaration).filter({ hasText: hint })).first().waitFor({ timeout: resultMs });
          }
        });
      });

      // Treasury is pausable; withdraw lacks whenNotPaused.
      test('pause-unguarded on withdraw: Ctrl+. offers the light-bulb fix, which adds whenNotPaused', async () => {
        await screenshotOnFailure(page, 'pause-quick-fix', async () => {
          await quickOpen(page, 'Treasury.sol');
          await goToLine(page, fixtureLine('contracts/Treasury.sol', 'function withdraw'));
          const warning = page.locator('.part.editor .monaco-editor .squiggly-warning');
          await warning.first().waitFor({ timeout: resultMs });
          assert.equal(await warning.count(), 1, 'Treasury.sol has one warning, on withdraw');

          await pointAt(page, 'function withdraw', 'withdraw', page.locator('.part.editor .monaco-editor .lightBulbWidget'));
          await page.keyboard.press('Control+Period');
          const fix = page.locator('.action-widget .monaco-list-row', { hasText: 'whenNotPaused' }).first();
          await fix.waitFor({ timeout: resultMs });
          assert.match(await fix.innerText(), /Add .?whenNotPaused/);
          await fix.click();

          await editorLine(page, 'external whenNotPaused').first().waitFor({ timeout: resultMs });
          const withdrawLine = (await editorLine(page, 'function withdraw').first().innerText()).replace(/\u00a0/g, ' ');
          assert.match(withdrawLine, /function withdraw\(uint256 amount\) external whenNotPaused \{/);
          await warning.first().waitFor({ state: 'detached', timeout: resultMs });
        });
      });
    });

    // The local demo chain deploys the example contracts of the Patchline checkout and runs the anvil
    // of its node_modules: an installed .vsix has neither, so this workbench runs the repository's
    // extension (extensionDevelopmentPath), as the mocha suites do.
    describe('Patch panel: simulate VaultV2 on the local demo chain, export the proposal, follow it', () => {
      const proposalName = 'vault-v2-fee';
      let page: Page;
      let workspace: string;
      let panel: FrameLocator;

      before(async () => {
        workspace = copyOfExampleWorkspace();
        workspaces.push(workspace);
        const context = await workbenchContext(browser, { viewport: { width: 1280, height: 900 } });
        page = await context.newPage();
        panel = page.frameLocator('iframe.webview.ready').frameLocator('iframe#active-frame');
        await screenshotOnFailure(page, 'panel-workbench-load', async () => {
          await page.goto(server.workbenchUrl(workspace, [['extensionDevelopmentPath', server.remoteUri(repoRoot)]]));
          await page.locator('.explorer-folders-view .monaco-list-row', { hasText: 'contracts' }).first().waitFor({ timeout: workbenchLoadMs });
        });
      });

      after(async () => {
        await page?.context().close();
      });

      test('the simulation of VaultV2 with initializeV2(250) passes and shows its checks and diffs', async () => {
        await screenshotOnFailure(page, 'panel-simulate', async () => {
          // The panel offers the upgradeable contracts of the open files.
          await quickOpen(page, 'VaultV2.sol');
          await page.locator('.activitybar .action-item a[aria-label^="Patchline"]').click();
          const implementationValue = `${workspace}/contracts/VaultV2.sol:VaultV2`;
          await panel.locator(`#implementation option[value="${implementationValue}"]`).waitFor({ state: 'attached', timeout: firstResultMs });

          await panel.locator('#fork').selectOption('local');
          await panel.locator('#implementation').selectOption(implementationValue);
          await panel.locator('#call').fill('initializeV2(uint16)');
          await panel.locator('#args').fill('250');
          await panel.locator('#simulate').click();

          const verdict = panel.locator('#verdict');
          // Forking, deploying and replaying the timelock on anvil: about 30 s, 2 minutes on a loaded machine.
          await verdict.waitFor({ timeout: 300_000 });
          const checks = panel.locator('#checks li');
          const checkTexts = await checks.allInnerTexts();
          assert.equal((await verdict.innerText()).trim(), 'PASS', `checks:\n${checkTexts.join('\n')}`);
          assert.ok(checkTexts.length > 0, 'the result lists no checks');
          assert.equal(await panel.locator('#checks li.fail').count(), 0, `a check failed:\n${checkTexts.join('\n')}`);

          // The storage diff lists the baseline's (VaultV1's) words. initializeV2 writes withdrawalFeeBps,
          // new in V2 and packed into slot 2 after depositCap and capEnabled: that word changes, by the upgrade.
          const storageText = await panel.locator('#storage-diff').innerText();
          const packedWord = panel.locator('#storage-diff tr', { hasText: 'capEnabled' });
          assert.equal(await packedWord.count(), 1, `no storage row for capEnabled:\n${storageText}`);
          assert.match((await packedWord.getAttribute('class')) ?? '', /\bwritten\b/, `slot 2 is not marked as written by the upgrade:\n${storageText}`);
          const untouched = panel.locator('#storage-diff tr', { hasText: 'totalDeposits' });
          assert.equal((await untouched.getAttribute('class')) ?? '', '', `totalDeposits' word should be unchanged:\n${storageText}`);
          assert.equal(await panel.locator('#checks li.pass', { hasText: 'Baseline storage preserved' }).count(), 1, checkTexts.join('\n'));
          const feeGetter = panel.locator('#getter-diff tr', { hasText: 'withdrawalFeeBps()' });
          assert.deepEqual(await feeGetter.locator('td').allInnerTexts(), ['withdrawalFeeBps()', '(not in the old ABI)', '250', 'new']);
          const balancesGetter = panel.locator('#getter-diff tr', { hasText: 'totalDeposits()' });
          assert.equal(await balancesGetter.locator('td').nth(3).innerText(), 'same', 'totalDeposits changed across the upgrade');
          // The README's second picture: the panel with a passing simulation.
          if (process.env.PATCHLINE_SCREENSHOT === '1') await page.screenshot({ path: join(repoRoot, 'media', 'screenshot-panel.png') });
        });
      });

      test('Export proposal writes proposals/<name>/ with the proposal, the two Safe batches and a README', async () => {
        await screenshotOnFailure(page, 'panel-export', async () => {
          const newImplementation = (await panel.locator('#export-implementation').inputValue()).trim();
          assert.match(newImplementation, /^0x[0-9a-fA-F]{40}$/, 'the export form does not suggest the deployed VaultV2');
          await panel.locator('#export-name').fill(proposalName);
          await panel.locator('#export').click();
          await panel.locator('#exported', { hasText: 'Wrote' }).waitFor({ timeout: resultMs });

          const directory = join(workspace, 'proposals', proposalName);
          // With the emergency-pause kit: the vault's guardian pauses at once (drilled on a fork).
          for (const file of ['proposal.json', 'safe-schedule.json', 'safe-execute.json', 'README.md', 'pause/pause.json', 'pause/README.md']) {
            assert.ok(existsSync(join(directory, file)), `${file} was not written in ${directory}`);
          }
          const proposal = readFileSync(join(directory, 'proposal.json'), 'utf8');
          assert.ok(proposal.toLowerCase().includes(newImplementation.toLowerCase()), 'proposal.json does not name the new implementation');
          JSON.parse(proposal);
          JSON.parse(readFileSync(join(directory, 'safe-schedule.json'), 'utf8'));
          JSON.parse(readFileSync(join(directory, 'safe-execute.json'), 'utf8'));
        });
      });

      test('the Proposals section lists the exported proposal, then follows its schedule on Refresh', async () => {
        await screenshotOnFailure(page, 'panel-proposals', async () => {
          // The export refreshes the section: the operation is not scheduled yet.
          const item = panel.locator(`#proposals li.proposal[data-name="${proposalName}"]`);
          await item.locator('.proposal-state').waitFor({ timeout: resultMs });
          assert.equal((await item.locator('.proposal-state').innerText()).trim(), 'Unset', await item.innerText());

          // A proposer schedules the exported payload on the demo chain (its URL is in the evidence:
          // a local anvil, nothing masked), then Refresh reads the new state.
          const proposal = JSON.parse(readFileSync(join(workspace, 'proposals', proposalName, 'proposal.json'), 'utf8'));
          const clients = await connectChain(proposal.evidence.chainState.rpc as string);
          const [, proposer] = await clients.wallet.getAddresses();
          await sendAndConfirm(clients, { from: proposer, to: proposal.timelock.schedule.to, data: proposal.timelock.schedule.data });
          await panel.locator('#proposals-refresh').click();
          await item.locator('.proposal-state', { hasText: 'Waiting' }).waitFor({ timeout: resultMs });
          assert.match(await item.locator('.eta').innerText(), /^ready in (59m|1h)/);
          assert.match(await item.locator('.timeline').innerText(), /exported.*→ scheduled \(\+.*\) → ready \(in .*\) → executed \(not yet\)/);
          assert.match(await item.innerText(), /scheduled: block \d+/);
        });
      });

      test('Simulate execution now runs the scheduled proposal on a fork of today\'s chain and shows the verdict under it', async () => {
        await screenshotOnFailure(page, 'panel-recheck', async () => {
          const item = panel.locator(`#proposals li.proposal[data-name="${proposalName}"]`);
          await item.locator('vscode-button.recheck').click();
          const result = item.locator('.recheck-result .recheck-verdict');
          // A fork, the delay advanced, the exported execute, then the checks: seconds, a minute or two under load.
          await result.waitFor({ timeout: 300_000 });
          const text = await item.locator('.recheck-result').innerText();
          assert.equal((await result.innerText()).trim(), "Executes against today's state: every check passed", text);
          assert.match(text, /Waiting on chain; on the fork: advance \d+ s to the ready time; the exported execute payload from 0x[0-9a-fA-F]{40}/);
          // The chain itself was not touched: the operation is still pending there.
          const proposal = JSON.parse(readFileSync(join(workspace, 'proposals', proposalName, 'proposal.json'), 'utf8'));
          const clients = await connectChain(proposal.evidence.chainState.rpc as string);
          const done = await clients.public.readContract({ address: proposal.timelock.address, abi: parseAbi(['function isOperationDone(bytes32) view returns (bool)']), functionName: 'isOperationDone', args: [proposal.timelock.operationId] });
          assert.equal(done, false, 'the re-check executed the operation on the real chain');
        });
      });
    });
  });
}
