// The compiler tier on the engine's workspace: the same files the parser tier sees (editor
// buffers first), resolved the same way (workspace.ts), under the names solc gives them.
import { resolve } from 'node:path';
import { readRemappings, type SolidityWorkspace } from '../workspace';
import {
  applyRemappings,
  formatRemapping,
  importedSourceName,
  sourceNameForFile,
  type ImportResolution,
  type ImportResolver,
  type Remapping,
} from './sources';

export class WorkspaceImportResolver implements ImportResolver {
  readonly remappings: string[];
  private readonly parsedRemappings: Remapping[];
  /** Files of the units handed out so far, to resolve their imports from the right place. */
  private readonly fileByName = new Map<string, string>();

  /** `root`: the project root (`workspace.projectRoot(dir)`); source names are relative to it. */
  constructor(
    private readonly workspace: SolidityWorkspace,
    readonly root: string,
  ) {
    this.root = resolve(root);
    this.parsedRemappings = readRemappings(this.root, (file) => workspace.readText(file));
    this.remappings = this.parsedRemappings.map(formatRemapping);
  }

  resolveEntry(file: string): ImportResolution {
    const absolute = resolve(file);
    return this.load(sourceNameForFile(this.root, absolute), absolute);
  }

  resolveImport(from: string, importPath: string): ImportResolution {
    const fromFile = this.fileByName.get(from);
    if (!fromFile) return { error: `Unknown importing unit ${from}` };
    const resolution = this.workspace.resolveImport(fromFile, importPath);
    if ('error' in resolution) return resolution;
    // The file is the workspace's; the name is what solc derives from the import statement.
    const name = applyRemappings(importedSourceName(from, importPath), from, this.parsedRemappings);
    return this.load(name, resolution.file);
  }

  private load(sourceName: string, file: string): ImportResolution {
    const contents = this.workspace.readText(file);
    if (contents === undefined) return { error: `Cannot read ${file}` };
    this.fileByName.set(sourceName, file);
    return { sourceName, file, contents };
  }
}
