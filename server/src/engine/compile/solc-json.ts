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

/** What to ask solc for. `storage`: storage layouts and ASTs only; `full`: also bytecode (needed for real bytecode versions). */
export type OutputLevel = 'storage' | 'full';

export function outputSelection(level: OutputLevel): SolcInput['settings']['outputSelection'] {
  const perContract = level === 'storage' ? ['storageLayout'] : ['storageLayout', 'evm.bytecode', 'evm.methodIdentifiers'];
  return { '*': { '*': perContract, '': ['ast'] } };
}

/** Errors with severity "error" (warnings and infos do not fail a compilation). */
export function compileErrors(output: SolcOutput): SolcError[] {
  return (output.errors ?? []).filter((e) => e.severity === 'error');
}
