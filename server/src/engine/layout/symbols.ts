// Name resolution across files, as far as storage layout needs it: contracts (for inheritance
// and contract-typed variables), structs, enums, user-defined value types and constants,
// seen through imports (`import "x"`, `import "x" as X`, `import * as X from "x"`,
// `import {A as B} from "x"`) and through inheritance.
import type {
  ContractDefinition,
  EnumDefinition,
  FileLevelConstant,
  StructDefinition,
  TypeDefinition,
  VariableDeclaration,
  Expression,
} from '@solidity-parser/parser/dist/src/ast-types';
import type { ImportError, ParsedFile, ParsedSources } from '../parse/parsed-file';
import { append } from '../append';

export interface ContractSymbol {
  kind: 'contract';
  name: string;
  node: ContractDefinition;
  file: ParsedFile;
}

/** A definition that may live at file level or inside a contract (`contract` set). */
export type DefinitionSymbol =
  | { kind: 'struct'; name: string; node: StructDefinition; file: ParsedFile; contract?: ContractSymbol }
  | { kind: 'enum'; name: string; node: EnumDefinition; file: ParsedFile; contract?: ContractSymbol }
  | { kind: 'udvt'; name: string; node: TypeDefinition; file: ParsedFile; contract?: ContractSymbol }
  | { kind: 'constant'; name: string; value: Expression | null; node: VariableDeclaration | FileLevelConstant; file: ParsedFile; contract?: ContractSymbol };

export interface ModuleSymbol {
  kind: 'module';
  name: string;
  file: ParsedFile;
}

export type SolSymbol = ContractSymbol | DefinitionSymbol | ModuleSymbol;

type Scope = Map<string, SolSymbol>;

/** Symbol tables for one analysis run; build a new one per run (it caches by ParsedFile). */
export class SymbolTable {
  private readonly fileScopes = new Map<ParsedFile, Scope>();
  private readonly members = new Map<ContractDefinition, Scope>();
  readonly importErrors: ImportError[] = [];
  /** Imports that resolved to a file that could not be read. */
  readonly unreadable: { file: string; fromFile: string }[] = [];
  private readonly reportedImportErrors = new Set<ParsedFile>();

  constructor(readonly workspace: ParsedSources) {}

  /** Global symbols of a file: its own top-level declarations and everything it imports. */
  fileScope(file: ParsedFile): Scope {
    const done = this.fileScopes.get(file);
    if (done) return done;
    const scope: Scope = new Map();
    // An import cycle sees the partial scope (own declarations first), which is what it needs.
    this.fileScopes.set(file, scope);
    for (const node of file.ast?.children ?? []) {
      const sym = declarationSymbol(node as never, file, undefined);
      if (sym && !scope.has(sym.name)) scope.set(sym.name, sym);
    }
    if (!this.reportedImportErrors.has(file)) {
      this.reportedImportErrors.add(file);
      append(this.importErrors, this.workspace.importErrors(file));
    }
    for (const { node, resolution } of this.workspace.imports(file)) {
      if ('error' in resolution) continue;
      const imported = this.workspace.parse(resolution.file);
      if (!imported) {
        this.unreadable.push({ file: resolution.file, fromFile: file.file });
        continue;
      }
      if (node.unitAlias) {
        scope.set(node.unitAlias, { kind: 'module', name: node.unitAlias, file: imported });
        continue;
      }
      const importedScope = this.fileScope(imported);
      if (node.symbolAliases) {
        for (const [name, alias] of node.symbolAliases) {
          const sym = importedScope.get(name);
          if (sym && !scope.has(alias ?? name)) scope.set(alias ?? name, sym);
        }
      } else {
        for (const [name, sym] of importedScope) if (!scope.has(name)) scope.set(name, sym);
      }
    }
    return scope;
  }

  /** Every file whose scope was built: the import closure of the files looked at so far. */
  files(): ParsedFile[] {
    return [...this.fileScopes.keys()];
  }

  /** Definitions declared directly in a contract (not inherited). */
  contractMembers(contract: ContractSymbol): Scope {
    const done = this.members.get(contract.node);
    if (done) return done;
    const scope: Scope = new Map();
    for (const node of contract.node.subNodes) {
      if (node.type === 'StateVariableDeclaration') {
        const decl = node as unknown as { variables: (VariableDeclaration & { isDeclaredConst?: boolean })[]; initialValue: Expression | null };
        for (const v of decl.variables) {
          if (v.isDeclaredConst && v.name) {
            scope.set(v.name, { kind: 'constant', name: v.name, value: decl.initialValue ?? v.expression, node: v, file: contract.file, contract });
          }
        }
        continue;
      }
      const sym = declarationSymbol(node as never, contract.file, contract);
      if (sym && !scope.has(sym.name)) scope.set(sym.name, sym);
    }
    this.members.set(contract.node, scope);
    return scope;
  }

  /**
   * Looks up a dotted name (`A`, `X.A`, `C.S`) from inside `contract` (its members and the
   * members of `bases`, most derived first) or at file level of `file`.
   */
  lookup(namePath: string, file: ParsedFile, contract?: ContractSymbol, bases: ContractSymbol[] = []): SolSymbol | undefined {
    const [head, ...rest] = namePath.split('.');
    let sym: SolSymbol | undefined;
    if (contract) {
      for (const c of [contract, ...bases]) {
        sym = this.contractMembers(c).get(head);
        if (sym) break;
      }
    }
    sym ??= this.fileScope(file).get(head);
    for (const part of rest) {
      if (!sym) return undefined;
      if (sym.kind === 'module') sym = this.fileScope(sym.file).get(part);
      else if (sym.kind === 'contract') sym = this.contractMembers(sym).get(part);
      else return undefined;
    }
    return sym;
  }
}

function declarationSymbol(node: { type: string; name?: string }, file: ParsedFile, contract: ContractSymbol | undefined): SolSymbol | undefined {
  switch (node.type) {
    case 'ContractDefinition':
      return { kind: 'contract', name: node.name!, node: node as ContractDefinition, file };
    case 'StructDefinition':
      return { kind: 'struct', name: node.name!, node: node as StructDefinition, file, contract };
    case 'EnumDefinition':
      return { kind: 'enum', name: node.name!, node: node as EnumDefinition, file, contract };
    case 'TypeDefinition':
      return { kind: 'udvt', name: node.name!, node: node as TypeDefinition, file, contract };
    case 'FileLevelConstant': {
      const c = node as FileLevelConstant;
      return { kind: 'constant', name: c.name, value: c.initialValue, node: c, file, contract };
    }
    default:
      return undefined;
  }
}
