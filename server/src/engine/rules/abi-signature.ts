// Canonical ABI signatures from the parser's AST, as solc computes them for selectors: structs
// become tuples, contracts and interfaces `address`, enums `uint8`, user-defined value types their
// underlying type. Names are resolved through the workspace from the declaring contract.
import type { TypeName } from '@solidity-parser/parser/dist/src/ast-types';
import { toFunctionSelector } from 'viem';
import type { ContractHierarchy, ContractModel, FunctionModel, StateVariableModel } from '../model';

/** `transfer(address,uint256)`, or undefined when a type cannot be resolved. */
export function functionSignature(fn: FunctionModel, hierarchy: ContractHierarchy): string | undefined {
  const known = ownSignatures.get(fn.node);
  if (known !== undefined) return known;
  const types: string[] = [];
  let own = true;
  for (const p of fn.parameters) {
    if (p.typeName && !namesNoType(p.typeName)) own = false;
    const type = p.typeName ? canonicalType(p.typeName, fn.owner, hierarchy, 0) : undefined;
    if (type === undefined) return undefined;
    types.push(type);
  }
  const signature = `${fn.name}(${types.join(',')})`;
  if (own) ownSignatures.set(fn.node, signature);
  return signature;
}

/**
 * Signatures that the function's own node decides (no parameter names a struct, enum, contract or
 * value type, which resolve in the hierarchy), kept across runs: the incremental parser keeps an
 * unchanged function's node.
 */
const ownSignatures = new WeakMap<object, string>();

function namesNoType(type: TypeName): boolean {
  const node = type as TypeName & Record<string, unknown>;
  if (node.type === 'ElementaryTypeName' || node.type === 'FunctionTypeName') return true;
  return node.type === 'ArrayTypeName' && namesNoType(node.baseTypeName as TypeName);
}

/** The getter of a public state variable: mapping keys and array indexes become parameters. */
export function getterSignature(variable: StateVariableModel, hierarchy: ContractHierarchy): string | undefined {
  const types: string[] = [];
  let type = variable.typeName as (TypeName & Record<string, unknown>) | null;
  while (type) {
    if (type.type === 'Mapping') {
      const key = canonicalType(type.keyType as TypeName, variable.owner, hierarchy, 0);
      if (key === undefined) return undefined;
      types.push(key);
      type = type.valueType as TypeName & Record<string, unknown>;
    } else if (type.type === 'ArrayTypeName') {
      types.push('uint256');
      type = type.baseTypeName as TypeName & Record<string, unknown>;
    } else break;
  }
  return `${variable.name}(${types.join(',')})`;
}

const selectors = new Map<string, string>();

export function selectorOf(signature: string): string {
  let selector = selectors.get(signature);
  if (!selector) {
    selector = toFunctionSelector(signature);
    selectors.set(signature, selector);
  }
  return selector;
}

function canonicalType(type: TypeName, from: ContractModel, hierarchy: ContractHierarchy, depth: number): string | undefined {
  if (depth > 16) return undefined; // a recursive struct cannot be an external parameter anyway
  const node = type as TypeName & Record<string, unknown>;
  switch (node.type) {
    case 'ElementaryTypeName':
      return elementary(node.name as string);
    case 'ArrayTypeName': {
      const base = canonicalType(node.baseTypeName as TypeName, from, hierarchy, depth + 1);
      if (base === undefined) return undefined;
      const length = node.length as { type?: string; number?: string } | null;
      if (!length) return `${base}[]`;
      return length.type === 'NumberLiteral' && length.number !== undefined ? `${base}[${length.number}]` : undefined;
    }
    case 'FunctionTypeName':
      return 'function';
    case 'UserDefinedTypeName': {
      const symbol = hierarchy.lookup(node.namePath as string, from);
      if (!symbol) return undefined;
      if (symbol.kind === 'contract') return 'address';
      if (symbol.kind === 'enum') return 'uint8';
      if (symbol.kind === 'udvt') return elementary(symbol.node.definition.name);
      if (symbol.kind === 'struct') {
        const owner = symbol.contract ? hierarchy.modelOf(symbol.contract) ?? from : from;
        const members: string[] = [];
        for (const member of symbol.node.members) {
          const memberType = member.typeName ? canonicalType(member.typeName, owner, hierarchy, depth + 1) : undefined;
          if (memberType === undefined) return undefined;
          members.push(memberType);
        }
        return `(${members.join(',')})`;
      }
      return undefined;
    }
    default:
      return undefined;
  }
}

function elementary(name: string): string {
  if (name === 'uint') return 'uint256';
  if (name === 'int') return 'int256';
  if (name === 'byte') return 'bytes1';
  if (name === 'fixed') return 'fixed128x18';
  if (name === 'ufixed') return 'ufixed128x18';
  if (name.startsWith('address')) return 'address';
  return name;
}
