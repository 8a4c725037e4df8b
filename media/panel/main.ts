// Front end of the Patch view. Renders what the host sends, validated; sends back typed requests.
import './panel.css';
import '@vscode-elements/elements/dist/vscode-badge/index.js';
import '@vscode-elements/elements/dist/vscode-button/index.js';
import { parseHostMessage, type HostMessage, type WebviewMessage } from '../../client/src/panel/messages';

interface VsCodeApi {
  postMessage(message: WebviewMessage): void;
}
declare function acquireVsCodeApi(): VsCodeApi;

const vscode = acquireVsCodeApi();
const app = document.getElementById('app')!;

function element<K extends keyof HTMLElementTagNameMap>(tag: K, className?: string, text?: string): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined) node.textContent = text;
  return node;
}

function render(message: HostMessage): void {
  app.replaceChildren();
  const header = element('div', 'header');
  header.append(element('h2', 'title', 'Upgradeable contracts'));
  const refresh = document.createElement('vscode-button');
  refresh.setAttribute('secondary', '');
  refresh.textContent = 'Refresh';
  refresh.addEventListener('click', () => vscode.postMessage({ type: 'refresh' }));
  header.append(refresh);
  app.append(header);

  if (!message.trusted) {
    app.append(element('p', 'notice', 'Restricted mode: only the parser tier runs. Trust this workspace to compile and simulate.'));
  }
  if (message.contracts.length === 0) {
    app.append(
      element('p', 'empty', message.state === 'analyzing' ? 'Analysing…' : 'No upgradeable contract in the open Solidity files yet.'),
    );
    return;
  }
  const list = element('ul', 'contracts');
  for (const contract of message.contracts) {
    const item = element('li', 'contract');
    const link = element('a', 'name', contract.name);
    link.href = '#';
    link.title = `${decodeURIComponent(contract.uri)}:${contract.line + 1}`;
    link.addEventListener('click', (event) => {
      event.preventDefault();
      vscode.postMessage({ type: 'open', uri: contract.uri, line: contract.line, character: contract.character });
    });
    item.append(link);
    const meta = element('span', 'meta', contract.proxyKind === 'uups' ? 'UUPS' : 'Transparent / Beacon');
    item.append(meta);
    if (contract.upgradesFrom) item.append(element('span', 'meta', `from ${contract.upgradesFrom}`));
    const badge = document.createElement('vscode-badge');
    badge.setAttribute('variant', 'counter');
    badge.textContent = String(contract.errors + contract.warnings);
    badge.title = `${contract.errors} error(s), ${contract.warnings} warning(s) in this file`;
    item.append(badge);
    list.append(item);
  }
  app.append(list);
}

window.addEventListener('message', (event: MessageEvent<unknown>) => {
  const message = parseHostMessage(event.data);
  if (message) render(message);
});

app.append(element('p', 'empty', 'Loading…'));
vscode.postMessage({ type: 'ready' });
