// Front end of the storage layout grid: current beside baseline, one row per slot, each variable
// a cell sized by its bytes; changed cells and cells only on one side are highlighted.
import './layout.css';
import { parseLayoutHostMessage, type LayoutWebviewMessage } from '../../client/src/panel/messages';
import type { SlotRow, StorageLayoutView } from '../../server/src/protocol';
import { el, vscodeApi } from '../webview';

const vscode = vscodeApi<LayoutWebviewMessage>();
const app = document.getElementById('app')!;


function slotText(slot: string): string {
  const value = BigInt(slot);
  return value < 1_000_000n ? slot : `0x${value.toString(16).slice(0, 6)}…${value.toString(16).slice(-4)}`;
}

function grid(title: string, subtitle: string, rows: SlotRow[], interactive: boolean): HTMLElement {
  const section = el('section', 'side');
  section.append(el('h2', 'side-title', title), el('p', 'side-subtitle', subtitle));
  const table = el('div', 'grid');
  table.setAttribute('role', 'table');
  let namespace: string | undefined;
  for (const row of rows) {
    if (row.namespace !== namespace) {
      namespace = row.namespace;
      if (namespace) table.append(el('div', 'namespace', `erc7201:${namespace}`));
    }
    const line = el('div', 'row');
    line.setAttribute('role', 'row');
    line.append(el('div', 'slot', slotText(row.slot)));
    const bar = el('div', 'bar');
    // 32 bytes per slot; solc packs from the right, so the lowest offset is drawn on the right.
    let used = 0;
    for (const cell of [...row.cells].sort((a, b) => b.offset - a.offset)) {
      const width = Math.min(32, cell.bytes) / 32;
      const box = el('div', `cell ${cell.status}`);
      box.style.flexGrow = String(width);
      box.title = `${cell.label}: ${cell.type} (${cell.contract})\noffset ${cell.offset}, ${cell.bytes} bytes${cell.status === 'changed' ? '\nchanged against the other side' : cell.status === 'only-here' ? '\nonly on this side' : ''}`;
      box.append(el('span', 'label', cell.label), el('span', 'type', cell.type));
      if (interactive && cell.line !== undefined) {
        box.tabIndex = 0;
        const reveal = (): void => vscode.postMessage({ type: 'reveal', line: cell.line! });
        box.addEventListener('click', reveal);
        box.addEventListener('keydown', (event) => event.key === 'Enter' && reveal());
      }
      used += Math.min(32, cell.bytes);
      bar.append(box);
    }
    if (used < 32) {
      const free = el('div', 'cell free');
      free.style.flexGrow = String((32 - used) / 32);
      bar.prepend(free);
    }
    line.append(bar);
    table.append(line);
  }
  section.append(table);
  return section;
}

function render(view: StorageLayoutView): void {
  app.replaceChildren();
  const sides = el('div', 'sides');
  if (view.baseline) sides.append(grid(`Baseline: ${view.baseline.contract}`, view.baseline.description, view.baseline.rows, false));
  sides.append(grid(`Current: ${view.contract}`, view.baseline ? 'as you type' : 'no baseline: nothing to compare with', view.current, true));
  app.append(sides);
  const legend = el('p', 'legend');
  legend.append(el('span', 'swatch changed'), document.createTextNode(' changed  '), el('span', 'swatch only-here'), document.createTextNode(' only on this side'));
  app.append(legend);
}

window.addEventListener('message', (event: MessageEvent<unknown>) => {
  const message = parseLayoutHostMessage(event.data);
  if (message) render(message.view);
});
vscode.postMessage({ type: 'ready' });
