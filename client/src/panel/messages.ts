// Messages between the Patch webview (media/panel) and the extension host. Both sides validate
// what they receive with the parsers below: a webview is untrusted input.
import type { AnalysisState, ContractInfo } from '../../../server/src/protocol';

export type HostMessage = { type: 'contracts'; contracts: ContractInfo[]; state: AnalysisState; trusted: boolean };

export type WebviewMessage =
  | { type: 'ready' }
  | { type: 'refresh' }
  | { type: 'open'; uri: string; line: number; character: number };

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null;
const isCount = (value: unknown): value is number => typeof value === 'number' && Number.isInteger(value) && value >= 0;

export function parseWebviewMessage(value: unknown): WebviewMessage | undefined {
  if (!isObject(value)) return undefined;
  switch (value.type) {
    case 'ready':
    case 'refresh':
      return { type: value.type };
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
  const { name, uri, line, character, upgradeable, proxyKind, upgradesFrom, errors, warnings } = value;
  if (typeof name !== 'string' || typeof uri !== 'string' || !isCount(line) || !isCount(character)) return undefined;
  if (typeof upgradeable !== 'boolean' || !isCount(errors) || !isCount(warnings)) return undefined;
  if (proxyKind !== undefined && proxyKind !== 'uups' && proxyKind !== 'transparent-or-beacon') return undefined;
  if (upgradesFrom !== undefined && typeof upgradesFrom !== 'string') return undefined;
  return { name, uri, line, character, upgradeable, proxyKind, upgradesFrom, errors, warnings };
}

export function parseHostMessage(value: unknown): HostMessage | undefined {
  if (!isObject(value) || value.type !== 'contracts' || !Array.isArray(value.contracts)) return undefined;
  if (value.state !== 'idle' && value.state !== 'analyzing' && value.state !== 'error') return undefined;
  if (typeof value.trusted !== 'boolean') return undefined;
  const contracts = value.contracts.map(parseContract);
  if (contracts.some((c) => c === undefined)) return undefined;
  return { type: 'contracts', contracts: contracts as ContractInfo[], state: value.state, trusted: value.trusted };
}
