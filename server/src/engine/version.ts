// Patchline's version: injected by esbuild into bundles; read from package.json when running from sources (tests).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

declare const PATCHLINE_VERSION: string | undefined;

function fromPackageJson(): string {
  try {
    return (JSON.parse(readFileSync(join(__dirname, '..', '..', '..', 'package.json'), 'utf8')) as { version: string }).version;
  } catch {
    return '0.0.0-dev';
  }
}

export const patchlineVersion: string = typeof PATCHLINE_VERSION === 'string' ? PATCHLINE_VERSION : fromPackageJson();
