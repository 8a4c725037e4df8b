// Throwaway projects on disk for tests: a folder with a package.json (a project marker) and files.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after } from 'node:test';

/** A temp folder removed after the test file; `project(name, files)` makes a project in it. */
export function tempProjects(prefix: string): { workdir: string; project: (name: string, files: Record<string, string>) => string } {
  const workdir = mkdtempSync(join(tmpdir(), prefix));
  after(() => rmSync(workdir, { recursive: true, force: true }));
  const project = (name: string, files: Record<string, string>): string => {
    const dir = join(workdir, name);
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'package.json'), '{}');
    for (const [file, text] of Object.entries(files)) writeFileSync(join(dir, file), text);
    return dir;
  };
  return { workdir, project };
}
