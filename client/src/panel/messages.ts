// Messages between the Patch webview (media/panel) and the extension host. Both sides validate
// what they receive with the parsers below: a webview is untrusted input.
import type { AnalysisState, ContractInfo, ProposalEntry, RecheckProposalResult, SimulateResult, SlotCell, SlotRow, StorageLayoutView, UpgradeRoute } from '../../../server/src/protocol';

/** What the simulation form holds; persisted per workspace. */
export interface SimulationForm {
  fork: 'local' | 'rpc';
  rpc: string;
  block: string;
  proxy: string;
  implementation: string;
  route: UpgradeRoute;
  timelock: string;
  call: string;
  args: string;
}

export interface ExportForm {
  name: string;
  newImplementation: string;
  governance: 'timelock' | 'governor';
  timelock: string;
  delay: string;
  governor: string;
  description: string;
  safe: string;
}

export type HostMessage =
  | { type: 'contracts'; contracts: ContractInfo[]; state: AnalysisState; trusted: boolean }
  | { type: 'form'; form: SimulationForm }
  | { type: 'simulation'; state: 'running'; progress?: string }
  | { type: 'simulation'; state: 'done'; result: SimulateResult }
  | { type: 'simulation'; state: 'error'; message: string }
  | { type: 'exported'; files: string[]; directoryUri: string; id: string }
  /** The export's simulation running, or why nothing was written. */
  | { type: 'exportStatus'; state: 'running' | 'error'; message: string }
  | { type: 'proposals'; state: 'running' }
  | { type: 'proposals'; state: 'done'; proposals: ProposalEntry[] }
  | { type: 'proposals'; state: 'error'; message: string }
  /** A re-check at execution time ("Simulate execution now") of the proposal in `directoryUri`. */
  | { type: 'recheck'; directoryUri: string; state: 'running'; progress?: string }
  | { type: 'recheck'; directoryUri: string; state: 'done'; result: RecheckProposalResult }
  | { type: 'recheck'; directoryUri: string; state: 'error'; message: string };

export type WebviewMessage =
  | { type: 'ready' }
  | { type: 'refresh' }
  | { type: 'open'; uri: string; line: number; character: number }
  | { type: 'simulate'; form: SimulationForm }
  | { type: 'export'; form: ExportForm }
  /** Refresh the Proposals section, reading the chain the simulation form names. */
  | { type: 'proposals'; fork: 'local' | 'rpc'; rpc: string }
  /** Simulate the execution of one proposal now, forking the chain the simulation form names. */
  | { type: 'recheck'; directoryUri: string; fork: 'local' | 'rpc'; rpc: string };

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null;
const isCount = (value: unknown): value is number => typeof value === 'number' && Number.isInteger(value) && value >= 0;

const ROUTES: UpgradeRoute[] = ['auto', 'direct', 'proxy-admin', 'beacon', 'timelock'];
const isText = (value: unknown, max = 2000): value is string => typeof value === 'string' && value.length <= max;

export function parseSimulationForm(value: unknown): SimulationForm | undefined {
  if (!isObject(value)) return undefined;
  const { fork, rpc, block, proxy, implementation, route, timelock, call, args } = value;
  if (fork !== 'local' && fork !== 'rpc') return undefined;
  if (![rpc, block, proxy, implementation, timelock, call, args].every((v) => isText(v))) return undefined;
  if (!ROUTES.includes(route as UpgradeRoute)) return undefined;
  return { fork, rpc, block, proxy, implementation, route, timelock, call, args } as SimulationForm;
}

function parseExportForm(value: unknown): ExportForm | undefined {
  if (!isObject(value)) return undefined;
  const { name, newImplementation, governance, timelock, delay, governor, description, safe } = value;
  if (governance !== 'timelock' && governance !== 'governor') return undefined;
  if (![name, newImplementation, timelock, delay, governor, description, safe].every((v) => isText(v, 10_000))) return undefined;
  return { name, newImplementation, governance, timelock, delay, governor, description, safe } as ExportForm;
}

export function parseWebviewMessage(value: unknown): WebviewMessage | undefined {
  if (!isObject(value)) return undefined;
  switch (value.type) {
    case 'simulate': {
      const form = parseSimulationForm(value.form);
      return form ? { type: 'simulate', form } : undefined;
    }
    case 'export': {
      const form = parseExportForm(value.form);
      return form ? { type: 'export', form } : undefined;
    }
    case 'ready':
    case 'refresh':
      return { type: value.type };
    case 'proposals':
      if ((value.fork === 'local' || value.fork === 'rpc') && isText(value.rpc)) return { type: 'proposals', fork: value.fork, rpc: value.rpc };
      return undefined;
    case 'recheck':
      if ((value.fork === 'local' || value.fork === 'rpc') && isText(value.rpc) && isText(value.directoryUri) && /^file:/.test(value.directoryUri)) {
        return { type: 'recheck', directoryUri: value.directoryUri, fork: value.fork, rpc: value.rpc };
      }
      return undefined;
    case 'open':
      if (typeof value.uri === 'string' && /^(file|untitled|vscode-remote):/.test(value.uri) && isCount(value.line) && isCount(value.character)) {
        return { type: 'open', uri: value.uri, line: value.line, character: value.character };
      }
      return undefined;
    default:
      return undefined;
  }
}

function parseContract(value: unknown): ContractInfo | undefined {
  if (!isObject(value)) return undefined;
  const { name, uri, file, line, character, upgradeable, proxyKind, upgradesFrom, errors, warnings } = value;
  if (typeof name !== 'string' || typeof uri !== 'string' || typeof file !== 'string' || !isCount(line) || !isCount(character)) return undefined;
  if (typeof upgradeable !== 'boolean' || !isCount(errors) || !isCount(warnings)) return undefined;
  if (proxyKind !== undefined && proxyKind !== 'uups' && proxyKind !== 'transparent-or-beacon') return undefined;
  if (upgradesFrom !== undefined && typeof upgradesFrom !== 'string') return undefined;
  return { name, uri, file, line, character, upgradeable, proxyKind, upgradesFrom, errors, warnings };
}

export function parseHostMessage(value: unknown): HostMessage | undefined {
  if (!isObject(value)) return undefined;
  if (value.type === 'form') {
    const form = parseSimulationForm(value.form);
    return form ? { type: 'form', form } : undefined;
  }
  if (value.type === 'simulation') {
    if (value.state === 'running') return { type: 'simulation', state: 'running', ...(isText(value.progress) ? { progress: value.progress } : {}) };
    if (value.state === 'error' && isText(value.message, 20_000)) return { type: 'simulation', state: 'error', message: value.message };
    // The report comes from our own server through the host; check its envelope, render fields defensively.
    if (value.state === 'done' && isObject(value.result) && isObject(value.result.report) && Array.isArray(value.result.report.checks)) {
      return { type: 'simulation', state: 'done', result: value.result as unknown as SimulateResult };
    }
    return undefined;
  }
  if (value.type === 'exported') {
    if (Array.isArray(value.files) && value.files.every((f) => isText(f)) && isText(value.directoryUri) && isText(value.id)) {
      return { type: 'exported', files: value.files as string[], directoryUri: value.directoryUri, id: value.id };
    }
    return undefined;
  }
  if (value.type === 'exportStatus') {
    if ((value.state === 'running' || value.state === 'error') && isText(value.message, 20_000)) return { type: 'exportStatus', state: value.state, message: value.message };
    return undefined;
  }
  if (value.type === 'proposals') {
    if (value.state === 'running') return { type: 'proposals', state: 'running' };
    if (value.state === 'error' && isText(value.message, 20_000)) return { type: 'proposals', state: 'error', message: value.message };
    // From our own server through the host: check the envelope, render fields defensively.
    if (value.state === 'done' && Array.isArray(value.proposals) && value.proposals.every((p) => isObject(p) && isText(p.name) && isText(p.directoryUri))) {
      return { type: 'proposals', state: 'done', proposals: value.proposals as ProposalEntry[] };
    }
    return undefined;
  }
  if (value.type === 'recheck') {
    if (!isText(value.directoryUri)) return undefined;
    const directoryUri = value.directoryUri;
    if (value.state === 'running') return { type: 'recheck', directoryUri, state: 'running', ...(isText(value.progress) ? { progress: value.progress } : {}) };
    if (value.state === 'error' && isText(value.message, 20_000)) return { type: 'recheck', directoryUri, state: 'error', message: value.message };
    // From our own server through the host: check the envelope, render fields defensively.
    const result = value.result;
    if (value.state === 'done' && isObject(result) && isText(result.name) && ['pass', 'fail', 'error'].includes(result.verdict as string) && Array.isArray(result.reports)) {
      if (result.reports.every((r) => isObject(r) && isObject(r.report) && Array.isArray(r.report.checks))) return { type: 'recheck', directoryUri, state: 'done', result: result as unknown as RecheckProposalResult };
    }
    return undefined;
  }
  if (value.type !== 'contracts' || !Array.isArray(value.contracts)) return undefined;
  if (value.state !== 'idle' && value.state !== 'analyzing' && value.state !== 'error') return undefined;
  if (typeof value.trusted !== 'boolean') return undefined;
  const contracts = value.contracts.map(parseContract);
  if (contracts.some((c) => c === undefined)) return undefined;
  return { type: 'contracts', contracts: contracts as ContractInfo[], state: value.state, trusted: value.trusted };
}

// --- Storage layout grid (media/layout) ---

export type LayoutHostMessage = { type: 'layout'; view: StorageLayoutView };
export type LayoutWebviewMessage = { type: 'ready' } | { type: 'reveal'; line: number };

export function parseLayoutWebviewMessage(value: unknown): LayoutWebviewMessage | undefined {
  if (!isObject(value)) return undefined;
  if (value.type === 'ready') return { type: 'ready' };
  if (value.type === 'reveal' && isCount(value.line)) return { type: 'reveal', line: value.line };
  return undefined;
}

const cellStatuses = new Set(['same', 'changed', 'only-here']);

function parseCell(value: unknown): SlotCell | undefined {
  if (!isObject(value)) return undefined;
  const { label, contract, type, offset, bytes, status, line } = value;
  if (typeof label !== 'string' || typeof contract !== 'string' || typeof type !== 'string') return undefined;
  if (!isCount(offset) || !isCount(bytes) || typeof status !== 'string' || !cellStatuses.has(status)) return undefined;
  if (line !== undefined && !isCount(line)) return undefined;
  return { label, contract, type, offset, bytes, status: status as SlotCell['status'], ...(line !== undefined ? { line } : {}) };
}

function parseRows(value: unknown): SlotRow[] | undefined {
  if (!Array.isArray(value)) return undefined;
  const rows: SlotRow[] = [];
  for (const row of value) {
    if (!isObject(row) || typeof row.slot !== 'string' || !/^\d+$/.test(row.slot) || !Array.isArray(row.cells)) return undefined;
    if (row.namespace !== undefined && typeof row.namespace !== 'string') return undefined;
    const cells = row.cells.map(parseCell);
    if (cells.some((c) => c === undefined)) return undefined;
    rows.push({ slot: row.slot, ...(row.namespace !== undefined ? { namespace: row.namespace as string } : {}), cells: cells as SlotCell[] });
  }
  return rows;
}

export function parseLayoutHostMessage(value: unknown): LayoutHostMessage | undefined {
  if (!isObject(value) || value.type !== 'layout' || !isObject(value.view)) return undefined;
  const view = value.view;
  if (typeof view.contract !== 'string') return undefined;
  const current = parseRows(view.current);
  if (!current) return undefined;
  let baseline: StorageLayoutView['baseline'];
  if (view.baseline !== undefined) {
    if (!isObject(view.baseline) || typeof view.baseline.description !== 'string' || typeof view.baseline.contract !== 'string') return undefined;
    const rows = parseRows(view.baseline.rows);
    if (!rows) return undefined;
    baseline = { description: view.baseline.description, contract: view.baseline.contract, rows };
  }
  return { type: 'layout', view: { contract: view.contract, current, ...(baseline ? { baseline } : {}) } };
}
