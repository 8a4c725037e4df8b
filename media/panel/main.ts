// Front end of the Patch view: the upgradeable contracts, the simulation form, its results and
// the proposal export. Renders what the host sends (validated); sends back typed requests.
import './panel.css';
import '@vscode-elements/elements/dist/vscode-badge/index.js';
import '@vscode-elements/elements/dist/vscode-button/index.js';
import {
  parseHostMessage,
  type ExportForm,
  type HostMessage,
  type SimulationForm,
  type WebviewMessage,
} from '../../client/src/panel/messages';
import type { ContractInfo, ProposalEntry, SimulateResult } from '../../server/src/protocol';
import { el, vscodeApi } from '../webview';

const vscode = vscodeApi<WebviewMessage>();
const app = document.getElementById('app')!;


function button(id: string, label: string, secondary = false): HTMLElement {
  const b = document.createElement('vscode-button');
  b.id = id;
  if (secondary) b.setAttribute('secondary', '');
  b.textContent = label;
  return b;
}

/** A labelled native input or select: they inherit the theme through CSS variables. */
function field(label: string, control: HTMLInputElement | HTMLSelectElement, hint?: string): HTMLElement {
  const wrap = el('label', 'field');
  wrap.append(el('span', 'field-label', label), control);
  if (hint) wrap.append(el('span', 'field-hint', hint));
  return wrap;
}

function input(id: string, placeholder = ''): HTMLInputElement {
  const node = el('input');
  node.id = id;
  node.type = 'text';
  node.placeholder = placeholder;
  node.spellcheck = false;
  return node;
}

function select(id: string, options: [string, string][]): HTMLSelectElement {
  const node = el('select');
  node.id = id;
  for (const [value, label] of options) {
    const option = el('option', undefined, label);
    option.value = value;
    node.append(option);
  }
  return node;
}

// --- Layout: three sections, built once; messages update them. ---

const contractsSection = el('section', 'section');
const simulateSection = el('section', 'section');
const resultsSection = el('section', 'section');
const exportSection = el('section', 'section');
const proposalsSection = el('section', 'section');
app.replaceChildren(contractsSection, simulateSection, resultsSection, exportSection, proposalsSection);

let contracts: ContractInfo[] = [];
let trusted = true;

const fork = select('fork', [['local', 'Local demo chain'], ['rpc', 'RPC URL']]);
const rpc = input('rpc', 'https://… (never saved in reports)');
const block = input('block', 'latest');
const proxy = input('proxy', '0x… (local: the demo vault)');
const implementation = select('implementation', []);
const implementationAddress = input('implementation-address', 'or a deployed implementation 0x…');
const route = select('route', [['auto', 'auto (detect)'], ['direct', 'direct'], ['proxy-admin', 'ProxyAdmin'], ['beacon', 'beacon'], ['timelock', 'timelock']]);
const timelock = input('timelock', 'default: found behind the owner');
const call = input('call', 'initializeV2(uint16)');
const args = input('args', '250 (comma-separated)');
const status = el('p', 'status');
status.id = 'status';
status.setAttribute('role', 'status');

function renderForm(): void {
  simulateSection.replaceChildren(el('h2', 'title', 'Simulate upgrade'));
  const rpcFields = el('div', 'rpc-fields');
  rpcFields.append(field('RPC URL', rpc), field('Fork block', block));
  const syncFork = (): void => {
    rpcFields.hidden = fork.value !== 'rpc';
  };
  fork.onchange = syncFork;
  syncFork();
  const run = button('simulate', 'Simulate');
  run.addEventListener('click', () => vscode.postMessage({ type: 'simulate', form: readForm() }));
  simulateSection.append(
    field('Fork', fork),
    rpcFields,
    field('Proxy', proxy),
    field('New implementation', implementation),
    field('', implementationAddress),
    field('Route', route),
    field('Timelock', timelock),
    field('Initializer', call, 'optional: passed to upgradeToAndCall'),
    field('Arguments', args),
    run,
    status,
  );
}

function renderImplementations(): void {
  const current = implementation.value;
  implementation.replaceChildren();
  const none = el('option', undefined, '— a deployed address (below) —');
  none.value = '';
  implementation.append(none);
  for (const contract of contracts) {
    const option = el('option', undefined, `${contract.name}${contract.upgradesFrom ? ` (from ${contract.upgradesFrom})` : ''}`);
    option.value = `${contract.file}:${contract.name}`;
    implementation.append(option);
  }
  if ([...implementation.options].some((o) => o.value === current)) implementation.value = current;
}

function readForm(): SimulationForm {
  return {
    fork: fork.value === 'rpc' ? 'rpc' : 'local',
    rpc: rpc.value,
    block: block.value,
    proxy: proxy.value,
    implementation: implementationAddress.value.trim() || implementation.value,
    route: route.value as SimulationForm['route'],
    timelock: timelock.value,
    call: call.value,
    args: args.value,
  };
}

function fillForm(form: SimulationForm): void {
  fork.value = form.fork;
  rpc.value = form.rpc;
  block.value = form.block;
  proxy.value = form.proxy;
  route.value = form.route;
  timelock.value = form.timelock;
  call.value = form.call;
  args.value = form.args;
  if (/^0x[0-9a-fA-F]{40}$/.test(form.implementation)) implementationAddress.value = form.implementation;
  else {
    implementationAddress.value = '';
    if (![...implementation.options].some((o) => o.value === form.implementation) && form.implementation) {
      const option = el('option', undefined, form.implementation.split(/[\\/]/).pop() ?? form.implementation);
      option.value = form.implementation;
      implementation.append(option);
    }
    implementation.value = form.implementation;
  }
  fork.dispatchEvent(new Event('change'));
}

function renderContracts(state: string): void {
  contractsSection.replaceChildren();
  const header = el('div', 'header');
  header.append(el('h2', 'title', 'Upgradeable contracts'));
  const refresh = button('refresh', 'Refresh', true);
  refresh.addEventListener('click', () => vscode.postMessage({ type: 'refresh' }));
  header.append(refresh);
  contractsSection.append(header);
  if (!trusted) contractsSection.append(el('p', 'notice', 'Restricted mode: only the parser tier runs. Trust this workspace to compile and simulate.'));
  if (contracts.length === 0) {
    contractsSection.append(el('p', 'empty', state === 'analyzing' ? 'Analysing…' : 'No upgradeable contract in the open Solidity files yet.'));
    return;
  }
  const list = el('ul', 'contracts');
  for (const contract of contracts) {
    const item = el('li', 'contract');
    const link = el('a', 'name', contract.name);
    link.href = '#';
    link.title = `${contract.file}:${contract.line + 1}`;
    link.addEventListener('click', (event) => {
      event.preventDefault();
      vscode.postMessage({ type: 'open', uri: contract.uri, line: contract.line, character: contract.character });
    });
    item.append(link, el('span', 'meta', contract.proxyKind === 'uups' ? 'UUPS' : 'Transparent / Beacon'));
    if (contract.upgradesFrom) item.append(el('span', 'meta', `from ${contract.upgradesFrom}`));
    const badge = document.createElement('vscode-badge');
    badge.setAttribute('variant', 'counter');
    badge.textContent = String(contract.errors + contract.warnings);
    badge.title = `${contract.errors} error(s), ${contract.warnings} warning(s) in this file`;
    item.append(badge);
    list.append(item);
  }
  contractsSection.append(list);
}

function table(id: string, headers: string[], rows: string[][], rowClass: (row: number) => string = () => ''): HTMLTableElement {
  const t = el('table', 'diff');
  t.id = id;
  const head = el('tr');
  for (const h of headers) head.append(el('th', undefined, h));
  t.append(head);
  rows.forEach((cells, i) => {
    const tr = el('tr', rowClass(i));
    for (const c of cells) tr.append(el('td', undefined, c));
    t.append(tr);
  });
  return t;
}

const short = (hex: string): string => (hex.length > 18 ? `${hex.slice(0, 10)}…${hex.slice(-6)}` : hex);

function renderResult(result: SimulateResult): void {
  const { report } = result;
  resultsSection.replaceChildren();
  const header = el('div', 'header');
  const verdict = el('span', `verdict ${report.verdict}`, report.verdict.toUpperCase());
  verdict.id = 'verdict';
  header.append(el('h2', 'title', 'Result'), verdict);
  resultsSection.append(header);
  resultsSection.append(el('p', 'meta', `Fork ${report.fork.rpc} · block ${report.fork.blockNumber ?? '?'} · ${report.durationMs} ms`));
  if (report.error) resultsSection.append(el('p', 'error', `${report.error.step}: ${report.error.message}`));
  if (report.route?.description) resultsSection.append(el('p', 'meta', report.route.description));
  const checks = el('ul', 'checks');
  checks.id = 'checks';
  for (const check of report.checks) {
    const item = el('li', `check ${check.status}`);
    item.append(el('span', 'mark', check.status === 'pass' ? '✔' : check.status === 'fail' ? '✖' : '–'), el('span', 'check-title', check.title), el('span', 'check-summary', check.summary));
    if (check.status === 'fail' && check.next) item.append(el('div', 'check-next', `Next: ${check.next}`));
    if (check.fix?.call) {
      const { signature, args: fixArgs } = check.fix.call;
      const prefill = button(`fix-${check.id}`, `Call ${signature} in the upgrade`, true);
      prefill.addEventListener('click', () => {
        call.value = signature;
        args.value = fixArgs.join(', ');
        call.focus();
      });
      item.append(prefill);
    }
    for (const link of check.links ?? []) {
      const anchor = el('a', 'check-link', link.text);
      anchor.href = '#';
      anchor.addEventListener('click', (event) => {
        event.preventDefault();
        vscode.postMessage({ type: 'open', uri: link.uri, line: link.line, character: link.character });
      });
      item.append(anchor);
    }
    if (check.evidence.length > 0) {
      const details = el('details');
      details.append(el('summary', undefined, 'evidence'));
      for (const fact of check.evidence) details.append(el('div', 'fact', fact));
      item.append(details);
    }
    checks.append(item);
  }
  resultsSection.append(checks);
  resultsSection.append(el('h3', 'subtitle', 'Storage'));
  // One row per word, in full: a packed word can change in its middle bytes (a new variable
  // packed after old ones), which a shortened hex would hide. Decoded values name the variables.
  resultsSection.append(
    table(
      'storage-diff',
      ['slot', 'variables', 'before', 'after'],
      report.storage.map((w) => [
        short(w.slot),
        w.variables.length > 0 ? w.variables.map((v) => (v.changed ? `${v.label}: ${v.before} → ${v.after}` : `${v.label} = ${v.after}`)).join('; ') : w.label,
        w.before,
        w.after,
      ]),
      (i) => (report.storage[i].changed ? (report.storage[i].writtenByUpgrade ? 'written' : 'changed') : ''),
    ),
  );
  resultsSection.append(el('h3', 'subtitle', 'Getters'));
  resultsSection.append(
    table(
      'getter-diff',
      ['getter', 'before', 'after', ''],
      report.getters.map((g) => [g.signature, g.before, g.after, g.verdict]),
      (i) => `verdict-${report.getters[i].verdict}`,
    ),
  );
  if (report.gas.length > 0) {
    resultsSection.append(el('h3', 'subtitle', 'Gas'));
    resultsSection.append(table('gas', ['transaction', 'gas'], report.gas.map((g) => [g.label, g.gasUsed])));
  }
  renderExport(result);
}

function renderExport(result: SimulateResult): void {
  exportSection.replaceChildren(el('h2', 'title', 'Export proposal'));
  const name = input('export-name', 'vault-v2');
  name.value = 'upgrade';
  const newImplementation = input('export-implementation', '0x… where the new implementation is deployed');
  newImplementation.value = result.suggestion.newImplementation ?? '';
  const governance = select('export-governance', [['timelock', 'TimelockController'], ['governor', 'Governor (GovernorTimelockControl)']]);
  const timelockAddress = input('export-timelock', '0x…');
  timelockAddress.value = result.suggestion.timelock ?? '';
  const delay = input('export-delay', 'default: getMinDelay()');
  const governor = input('export-governor', '0x…');
  const description = input('export-description', 'Upgrade the vault to V2');
  const safe = input('export-safe', 'optional Safe that submits it');
  const timelockFields = el('div');
  timelockFields.append(field('Timelock', timelockAddress), field('Delay (s)', delay));
  const governorFields = el('div');
  governorFields.append(field('Governor', governor), field('Description', description));
  const sync = (): void => {
    timelockFields.hidden = governance.value !== 'timelock';
    governorFields.hidden = governance.value !== 'governor';
  };
  governance.onchange = sync;
  sync();
  const run = button('export', 'Export proposal');
  run.addEventListener('click', () => {
    const form: ExportForm = {
      name: name.value,
      newImplementation: newImplementation.value,
      governance: governance.value === 'governor' ? 'governor' : 'timelock',
      timelock: timelockAddress.value,
      delay: delay.value,
      governor: governor.value,
      description: description.value,
      safe: safe.value,
    };
    vscode.postMessage({ type: 'export', form });
  });
  const exported = el('p', 'meta');
  exported.id = 'exported';
  exportSection.append(
    field('Name', name, 'proposals/<name>/ in the workspace'),
    field('New implementation', newImplementation),
    field('Governance', governance),
    timelockFields,
    governorFields,
    field('Safe', safe),
    run,
    exported,
  );
}

// --- Proposals: the workspace's proposals/<name>/, with where each is on chain. ---

const proposalsStatus = el('p', 'status');
proposalsStatus.id = 'proposals-status';
proposalsStatus.setAttribute('role', 'status');
const proposalsList = el('ul', 'proposals');
proposalsList.id = 'proposals';

function refreshProposals(): void {
  vscode.postMessage({ type: 'proposals', fork: fork.value === 'rpc' ? 'rpc' : 'local', rpc: rpc.value });
}

function renderProposalsFrame(): void {
  const header = el('div', 'header');
  header.append(el('h2', 'title', 'Proposals'));
  const refresh = button('proposals-refresh', 'Refresh', true);
  refresh.title = 'Read their status from the chain chosen in the form above';
  refresh.addEventListener('click', refreshProposals);
  header.append(refresh);
  proposalsSection.replaceChildren(header, proposalsStatus, proposalsList);
}

/** `3600` → `1h`, `3725` → `1h 2m 5s`. */
function duration(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  const parts = [[Math.floor(s / 86400), 'd'], [Math.floor((s % 86400) / 3600), 'h'], [Math.floor((s % 3600) / 60), 'm'], [s % 60, 's']].filter(([n]) => n).map(([n, u]) => `${n}${u}`);
  return parts.join(' ') || '0s';
}

function renderProposals(proposals: ProposalEntry[]): void {
  proposalsList.replaceChildren();
  if (proposals.length === 0) {
    proposalsStatus.textContent = 'No proposal under proposals/ in the workspace yet: export one above.';
    return;
  }
  proposalsStatus.textContent = '';
  for (const entry of proposals) {
    const item = el('li', 'proposal');
    item.dataset.name = entry.name;
    const link = el('a', 'name', entry.name);
    link.href = '#';
    link.title = 'Open its README';
    link.addEventListener('click', (event) => {
      event.preventDefault();
      vscode.postMessage({ type: 'open', uri: `${entry.directoryUri}/README.md`, line: 0, character: 0 });
    });
    item.append(link);
    const s = entry.status;
    if (!s) {
      item.append(el('div', 'error', entry.error ?? 'Status unknown.'));
      proposalsList.append(item);
      continue;
    }
    const t = s.timelock;
    const g = s.governor;
    const state = g?.state ?? t?.state ?? 'Unknown';
    const badge = el('span', `proposal-state state-${String(state).toLowerCase()}`, String(state));
    item.append(badge);
    if (t?.state === 'Waiting' && t.secondsUntilReady !== null) item.append(el('span', 'meta eta', `ready in ${duration(t.secondsUntilReady)}`));
    else if (t?.state === 'Ready') item.append(el('span', 'meta eta', 'ready to execute'));
    if (g) item.append(el('div', 'meta', `Governor: snapshot ${g.snapshot ?? '?'}, deadline ${g.deadline ?? '?'}${t ? ` · timelock operation ${t.state}` : ''}`));
    if (s.safe) item.append(el('div', 'meta', `Safe: ${s.safe.note}`));
    const timeline = el('div', 'meta timeline');
    timeline.textContent = s.timeline
      .map((step) => `${step.step}${step.timestamp === null ? ' (not yet)' : step.upcoming ? ` (in ${duration(step.timestamp - s.chain.timestamp)})` : step.sincePrevious !== null ? ` (+${duration(step.sincePrevious)})` : ''}`)
      .join(' → ');
    item.append(timeline);
    for (const [label, event] of [['scheduled', t?.scheduled], ['executed', t?.executed], ['cancelled', t?.cancelled]] as const) {
      if (event) item.append(el('div', 'meta fact', `${label}: block ${event.blockNumber}, ${event.iso}`));
    }
    for (const problem of s.problems) item.append(el('div', 'error', `Unknown: ${problem}`));
    proposalsList.append(item);
  }
  // Every listed proposal can be re-checked, whatever its status read said (a Done one fails with the reason).
  for (const item of proposalsList.querySelectorAll<HTMLElement>('li.proposal')) {
    const entry = proposals.find((p) => p.name === item.dataset.name)!;
    const run = button(`recheck-${entry.name}`, 'Simulate execution now', true);
    run.classList.add('recheck');
    run.title = "Fork today's chain, bring the proposal to its execute (schedule, wait, queue as needed), send its execute payload byte for byte and run the checks";
    run.addEventListener('click', () => vscode.postMessage({ type: 'recheck', directoryUri: entry.directoryUri, fork: fork.value === 'rpc' ? 'rpc' : 'local', rpc: rpc.value }));
    const result = el('div', 'recheck-result');
    result.dataset.directory = entry.directoryUri;
    item.append(run, result);
    renderRecheck(entry.directoryUri);
  }
}

/** The last re-check of each proposal, kept across refreshes of the list. */
const rechecks = new Map<string, Extract<HostMessage, { type: 'recheck' }>>();

function renderRecheck(directoryUri: string): void {
  const target = [...proposalsList.querySelectorAll<HTMLElement>('.recheck-result')].find((node) => node.dataset.directory === directoryUri);
  const message = rechecks.get(directoryUri);
  if (!target || !message) return;
  target.replaceChildren();
  target.setAttribute('role', 'status');
  if (message.state === 'running') {
    target.className = 'recheck-result status running';
    target.textContent = message.progress ? `Simulating the execution… ${message.progress}` : 'Simulating the execution…';
    return;
  }
  if (message.state === 'error') {
    target.className = 'recheck-result status error';
    target.textContent = message.message;
    return;
  }
  const { result } = message;
  target.className = `recheck-result verdict-${result.verdict}`;
  target.append(el('div', 'recheck-verdict', result.verdict === 'pass' ? "Executes against today's state: every check passed" : result.verdict === 'fail' ? 'Would fail if executed now' : 'Could not be simulated'));
  for (const { report } of result.reports) {
    if (report.proposal) target.append(el('div', 'meta', `${report.proposal.stateBefore} on chain; on the fork: ${report.proposal.steps.join('; ') || 'nothing sent'}`));
    if (report.error) target.append(el('div', 'error', `${report.error.step}: ${report.error.message}`));
    for (const check of report.checks.filter((c) => c.status === 'fail')) {
      const line = el('div', 'error', `${check.title}: ${check.summary}`);
      if (check.next) line.append(el('div', 'meta', `next: ${check.next}`));
      target.append(line);
    }
  }
}

function onMessage(message: HostMessage): void {
  switch (message.type) {
    case 'contracts':
      contracts = message.contracts;
      trusted = message.trusted;
      renderContracts(message.state);
      renderImplementations();
      return;
    case 'form':
      fillForm(message.form);
      return;
    case 'simulation':
      if (message.state === 'running') {
        status.className = 'status running';
        status.textContent = message.progress ? `Running… ${message.progress}` : 'Running…';
      } else if (message.state === 'error') {
        status.className = 'status error';
        status.textContent = message.message;
      } else {
        status.className = 'status';
        status.textContent = '';
        renderResult(message.result);
      }
      return;
    case 'exported': {
      const note = document.getElementById('exported');
      if (note) {
        note.className = 'meta';
        note.textContent = `Wrote ${message.files.join(', ')} · id ${message.id}`;
      }
      refreshProposals();
      return;
    }
    case 'exportStatus': {
      // Why nothing was written (the failing checks, one per line), or the export's simulation step.
      const note = document.getElementById('exported');
      if (note) {
        note.className = message.state === 'error' ? 'status error' : 'status running';
        note.textContent = message.message;
      }
      return;
    }
    case 'recheck':
      rechecks.set(message.directoryUri, message);
      renderRecheck(message.directoryUri);
      return;
    case 'proposals':
      if (message.state === 'running') {
        proposalsStatus.className = 'status running';
        proposalsStatus.textContent = 'Reading the chain…';
      } else if (message.state === 'error') {
        proposalsStatus.className = 'status error';
        proposalsStatus.textContent = message.message;
      } else {
        proposalsStatus.className = 'status';
        renderProposals(message.proposals);
      }
      return;
  }
}

window.addEventListener('message', (event: MessageEvent<unknown>) => {
  const message = parseHostMessage(event.data);
  if (message) onMessage(message);
});

renderContracts('analyzing');
renderForm();
renderProposalsFrame();
vscode.postMessage({ type: 'ready' });
