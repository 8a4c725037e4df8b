// The npm registry as npm itself is configured to reach it, and what a downloaded tarball is checked
// and read with: shared by the compiler download (solc-js builds) and baseline packages.
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

export const DEFAULT_REGISTRY = 'https://registry.npmjs.org/';

/**
 * The registry npm would use for `name`: `npm_config_<scope>:registry` / `npm_config_registry` (npm
 * sets it for scripts, users for CI), then `.npmrc` of the project and the user, else npmjs.org.
 */
export function configuredRegistry(projectDir: string | undefined, name: string, env: NodeJS.ProcessEnv = process.env, home = os.homedir()): string {
  const scope = name.startsWith('@') ? name.slice(0, name.indexOf('/')) : undefined;
  const fromEnv = (scope && env[`npm_config_${scope}:registry`]) || env.npm_config_registry || env.NPM_CONFIG_REGISTRY;
  if (fromEnv && isHttp(fromEnv)) return withSlash(fromEnv);
  for (const file of [...(projectDir ? [path.join(projectDir, '.npmrc')] : []), path.join(home, '.npmrc')]) {
    let text: string;
    try {
      text = fs.readFileSync(file, 'utf8');
    } catch {
      continue;
    }
    const settings = new Map<string, string>();
    for (const line of text.split(/\r?\n/)) {
      const m = /^\s*([^#;=\s][^=]*?)\s*=\s*(.*?)\s*$/.exec(line);
      if (m) settings.set(m[1], m[2]);
    }
    const registry = (scope && settings.get(`${scope}:registry`)) || settings.get('registry');
    if (registry && isHttp(registry)) return withSlash(registry);
  }
  return DEFAULT_REGISTRY;
}

const isHttp = (url: string) => /^https?:\/\//.test(url);
const withSlash = (url: string) => url.replace(/\/?$/, '/');

/** Undefined when one of the SRI hashes in `integrity` matches `bytes` (only known algorithms count). */
export function integrityProblem(bytes: Buffer, integrity: string): string | undefined {
  let checked = false;
  for (const token of integrity.trim().split(/\s+/)) {
    const m = /^(sha512|sha384|sha256|sha1)-([A-Za-z0-9+/=]+)/.exec(token);
    if (!m) continue;
    checked = true;
    if (createHash(m[1]).update(bytes).digest('base64') === m[2]) return undefined;
  }
  return checked ? `integrity mismatch (expected ${integrity})` : `unsupported integrity "${integrity}"`;
}

export interface TarEntry {
  path: string;
  data: Buffer;
}

/** The regular files of a tar archive (ustar, with pax and GNU long names); links and devices are skipped. */
export function readTar(tar: Buffer): TarEntry[] {
  const entries: TarEntry[] = [];
  let longName: string | undefined;
  for (let offset = 0; offset + 512 <= tar.length; ) {
    const header = tar.subarray(offset, offset + 512);
    if (header.every((b) => b === 0)) break;
    const field = (start: number, length: number) => {
      const raw = header.subarray(start, start + length);
      const end = raw.indexOf(0);
      return raw.subarray(0, end < 0 ? length : end).toString('utf8');
    };
    const size = parseInt(field(124, 12).trim() || '0', 8);
    const type = field(156, 1) || '0';
    const prefix = field(257, 6).startsWith('ustar') ? field(345, 155) : '';
    const data = tar.subarray(offset + 512, offset + 512 + size);
    offset += 512 + Math.ceil(size / 512) * 512;
    if (type === 'x') {
      const pax = /(?:^|\n)\d+ path=([^\n]*)\n/.exec(`\n${data.toString('utf8')}`);
      if (pax) longName = pax[1];
      continue;
    }
    if (type === 'L') {
      longName = data.toString('utf8').replace(/\0.*$/s, '');
      continue;
    }
    const name = longName ?? (prefix ? `${prefix}/${field(0, 100)}` : field(0, 100));
    longName = undefined;
    if (type === '0' || type === '7') entries.push({ path: name.replace(/^\.\//, ''), data: Buffer.from(data) });
  }
  return entries;
}

/** One regular file of an (uncompressed) tar archive, by its path. */
export function fileInTar(tar: Buffer, wanted: string): Buffer | undefined {
  return readTar(tar).find((entry) => entry.path === wanted)?.data;
}
