// Hand-rolled initializer guards, as large deployed tokens write them (USDC's FiatTokenV2:
// `require(initialized && _initializedVersion == 1); … _initializedVersion = 2;`): a function that
// checks a state variable and then sets it to a constant runs once, like OpenZeppelin's
// `initializer` / `reinitializer(n)`.
import type { ContractHierarchy, FunctionModel } from '../model';

export interface StateGuard {
  /** The state variable checked, then set. */
  variable: string;
  /** The version it is set to, when it is set to a number (a reinitialization to that version). */
  version?: bigint;
}

type Node = { type?: string; [key: string]: unknown };

/** The guard `fn` checks and then sets, if it has one. */
export function stateGuard(fn: FunctionModel, hierarchy: ContractHierarchy): StateGuard | undefined {
  const body = (fn.node as { body?: Node | null }).body;
  if (!body) return undefined;
  const stateVariables = new Set(hierarchy.linearized.flatMap((c) => c.stateVariables.filter((v) => !v.constant && !v.immutable).map((v) => v.name)));
  const checked = new Set<string>();
  const set = new Map<string, bigint | undefined>();
  walk(body, (node) => {
    if (node.type === 'FunctionCall') {
      const callee = node.expression as Node | undefined;
      const name = callee?.type === 'Identifier' ? (callee.name as string) : undefined;
      const condition = (node.arguments as Node[] | undefined)?.[0];
      if ((name === 'require' || name === 'assert') && condition) identifiers(condition, checked);
    } else if (node.type === 'IfStatement' && node.condition) {
      identifiers(node.condition as Node, checked);
    } else if (node.type === 'BinaryOperation' && node.operator === '=') {
      const left = node.left as Node;
      const right = node.right as Node;
      if (left?.type === 'Identifier' && (right?.type === 'BooleanLiteral' ? right.value === true : right?.type === 'NumberLiteral')) {
        set.set(left.name as string, right.type === 'NumberLiteral' ? toBigInt(right.number as string) : undefined);
      }
    }
  });
  for (const [variable, version] of set) {
    if (checked.has(variable) && stateVariables.has(variable)) return version !== undefined ? { variable, version } : { variable };
  }
  return undefined;
}

function identifiers(node: Node, out: Set<string>): void {
  walk(node, (n) => {
    if (n.type === 'Identifier') out.add(n.name as string);
  });
}

function walk(node: Node, visit: (node: Node) => void): void {
  visit(node);
  for (const [key, value] of Object.entries(node)) {
    if (key === 'loc' || key === 'range') continue;
    if (Array.isArray(value)) {
      for (const item of value) if (item && typeof item === 'object') walk(item as Node, visit);
    } else if (value && typeof value === 'object' && (value as Node).type !== undefined) {
      walk(value as Node, visit);
    }
  }
}

function toBigInt(text: string | undefined): bigint | undefined {
  try {
    return text === undefined ? undefined : BigInt(text.replace(/_/g, ''));
  } catch {
    return undefined;
  }
}
