// Driving the VS Code workbench from playwright: quick open, the rendered editor lines, the mouse
// on a word, the Problems panel, and a screenshot in test-results/ when a step fails.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, BrowserContext, BrowserContextOptions, Locator, Page } from 'playwright-core';
import { repoRoot } from './codeServer';

const failureShots = join(repoRoot, 'test-results');

// Waits, not verdicts: on a loaded machine (CI, or 2 cores shared by many jobs) the workbench takes
// a minute to load and the first analysis waits for the extension and its server to start. Each
// is a bound on a hang; a step that finishes sooner goes on at once.
/** The workbench page, its remote connection and the explorer. */
export const workbenchLoadMs = 180_000;
/** The first result of the language server in a new workbench: the extension activates, its server starts. */
export const firstResultMs = 120_000;
/** A later result of the language server (a diagnostic, a hover, a webview update). */
export const resultMs = 60_000;

/** A browser context whose playwright steps (navigation, clicks, waits) allow for a loaded machine. */
export async function workbenchContext(browser: Browser, options: BrowserContextOptions = {}): Promise<BrowserContext> {
  const context = await browser.newContext(options);
  context.setDefaultNavigationTimeout(workbenchLoadMs);
  context.setDefaultTimeout(resultMs);
  return context;
}

/** Runs `body`; when it throws, saves a screenshot of `page` to test-results/<name>.png first. */
export async function screenshotOnFailure(page: Page, name: string, body: () => Promise<void>): Promise<void> {
  try {
    await body();
  } catch (error) {
    mkdirSync(failureShots, { recursive: true });
    const path = join(failureShots, `editor-${name}.png`);
    await page.screenshot({ path }).catch(() => undefined);
    throw new Error(`${error instanceof Error ? error.message : String(error)}\n(screenshot: ${path})`, { cause: error });
  }
}

/** Opens a workspace file by name with quick open (Ctrl+P) and waits for its tab. */
export async function quickOpen(page: Page, fileName: string): Promise<void> {
  await page.locator('.monaco-workbench .part.editor').click();
  await page.keyboard.press('Control+P');
  const quickInput = page.locator('.quick-input-widget input');
  await quickInput.waitFor();
  await quickInput.fill(fileName);
  await page.locator('.quick-input-list .monaco-list-row', { hasText: fileName }).first().waitFor();
  await page.keyboard.press('Enter');
  await page.locator('.tab.active', { hasText: fileName }).waitFor();
}

/** The active editor's rendered line that contains `lineText` (spaces as typed). */
export function editorLine(page: Page, lineText: string): Locator {
  return page.locator('.part.editor .monaco-editor .view-lines .view-line', { hasText: lineText.replace(/ /g, '\u00a0') }).or(
    page.locator('.part.editor .monaco-editor .view-lines .view-line', { hasText: lineText }),
  );
}

/** The centre of `word` in the rendered editor line containing `lineText`, in page coordinates. */
async function wordCentre(page: Page, lineText: string, word: string): Promise<{ x: number; y: number }> {
  const line = editorLine(page, lineText).first();
  await line.waitFor();
  const centre = await line.evaluate((element, target) => {
    const dom = element.ownerDocument;
    const showText = 4; // NodeFilter.SHOW_TEXT (this file is compiled without the DOM library)
    const walker = dom.createTreeWalker(element, showText);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      const at = (node.textContent ?? '').indexOf(target);
      if (at < 0) continue;
      const range = dom.createRange();
      range.setStart(node, at);
      range.setEnd(node, at + target.length);
      const rect = range.getBoundingClientRect();
      return { x: rect.x + rect.width / 2, y: rect.y + rect.height / 2 };
    }
    return undefined;
  }, word);
  if (!centre) throw new Error(`\`${word}\` is not rendered in the line containing \`${lineText}\``);
  return centre;
}

/** Scrolls the active editor to a line (Ctrl+G), so the line and its decorations are rendered. */
export async function goToLine(page: Page, line: number): Promise<void> {
  await page.keyboard.press('Control+G');
  const quickInput = page.locator('.quick-input-widget input');
  await quickInput.waitFor();
  await quickInput.fill(`:${line}`);
  await page.keyboard.press('Enter');
  await quickInput.waitFor({ state: 'hidden' });
}

/**
 * Clicks `word` in the rendered line containing `lineText` and rests the mouse on it, until
 * `expected` shows (a hover, the light bulb). Code lenses and inlay hints arrive late and move
 * the text under the mouse, so a miss is retried from freshly measured coordinates.
 */
export async function pointAt(page: Page, lineText: string, word: string, expected: Locator, attempts = 3): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    const centre = await wordCentre(page, lineText, word);
    await page.mouse.click(centre.x, centre.y);
    // Monaco opens a hover on mouse movement over the word, not on a click.
    await page.mouse.move(centre.x - 3, centre.y, { steps: 2 });
    await page.mouse.move(centre.x + 1, centre.y, { steps: 3 });
    try {
      await expected.first().waitFor({ timeout: 7_000 });
      return;
    } catch (error) {
      if (attempt >= attempts) throw error;
      await page.keyboard.press('Escape');
      await page.mouse.move(0, 0);
    }
  }
}

/** Opens the Problems panel unless it is already showing. */
export async function showProblems(page: Page): Promise<void> {
  if (!(await page.locator('.markers-panel').isVisible())) await page.keyboard.press('Control+Shift+M');
  await page.locator('.markers-panel').waitFor();
}
