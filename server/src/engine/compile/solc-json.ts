// The parts of solc's standard JSON that the compiler tier writes and reads.
// Kept loose where upgrades-core consumes the data (it brings its own stricter types).

export interface SolcInput {
  language: 'Solidity';
  sources: Record<string, { content: string }>;
  settings: {
    optimizer?: { enabled: boolean; runs?: number };
    evmVersion?: string;
    remappings?: string[];
    outputSelection: Record<string, Record<string, string[]>>;
    [setting: string]: unknown;
  };
}

export interface SolcError {
  severity: 'error' | 'warning' | 'info';
  type: string;
  component?: string;
  errorCode?: string;
  message: string;
  formattedMessage?: string;
  sourceLocation?: { file: string; start: number; end: number };
}

export interface SolcStorageItem {
  astId: number;
  contract: string;
  label: string;
  offset: number;
  slot: string;
  type: string;
}

export interface SolcTypeItem {
  encoding: 'inplace' | 'mapping' | 'dynamic_array' | 'bytes';
  label: string;
  numberOfBytes: string;
  key?: string;
  value?: string;
  base?: string;
  members?: SolcStorageItem[];
}

export interface SolcContractOutput {
  storageLayout?: { storage: SolcStorageItem[]; types: Record<string, SolcTypeItem> | null };
  evm?: {
    bytecode?: { object: string; linkReferences: Record<string, Record<string, { start: number; length: number }[]>> };
    methodIdentifiers?: Record<string, string>;
  };
  [output: string]: unknown;
}

export interface SolcOutput {
  errors?: SolcError[];
  sources?: Record<string, { id: number; ast?: unknown }>;
  contracts?: Record<string, Record<string, SolcContractOutput>>;
}

/**
 * What to ask solc for. `storage`: storage layouts, method identifiers and ASTs, and for the
 * contracts of `entries` their link references, which upgrades-core's `validate` needs to report
 * `external-library-linking` (they cost code generation, so only for the files being checked, and
 * only when a library with public or external functions exists);
 * `full`: bytecode and everything else for every contract (real bytecode versions).
 */
export type OutputLevel = 'storage' | 'full';

export function outputSelection(level: OutputLevel, entries: string[] = []): SolcInput['settings']['outputSelection'] {
  if (level === 'full') return { '*': { '*': ['storageLayout', 'evm.bytecode', 'evm.methodIdentifiers'], '': ['ast'] } };
  const selection: SolcInput['settings']['outputSelection'] = { '*': { '*': ['storageLayout', 'evm.methodIdentifiers'], '': ['ast'] } };
  // solc merges a file's entry with the '*' entry.
  for (const entry of entries) selection[entry] = { '*': ['evm.bytecode.linkReferences'] };
  return selection;
}

/** Errors of code generation only (e.g. "Stack too deep" without the optimizer): the sources themselves are fine. */
export function onlyCodegenErrors(output: SolcOutput): boolean {
  const errors = compileErrors(output);
  return errors.length > 0 && errors.every((e) => e.type === 'CompilerError' || e.type === 'YulException' || e.type === 'CodeGenerationError');
}

/** Errors with severity "error" (warnings and infos do not fail a compilation). */
export function compileErrors(output: SolcOutput): SolcError[] {
  return (output.errors ?? []).filter((e) => e.severity === 'error');
}
