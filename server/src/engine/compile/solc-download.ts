// Downloads a solc-js build from the npm registry (`solc@<version>`, whose tarball holds
// soljson.js) into Patchline's compiler cache: the registry is the one host users can be
// expected to reach. The tarball is checked against the registry's `dist.integrity` first.
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { gunzipSync } from 'node:zlib';

export const DEFAULT_REGISTRY = 'https://registry.npmjs.org/';

/** Where a downloaded solc-js build lives: `<cache>/solc/<version>/soljson.js`. */
export function cachedSoljsonPath(cacheDir: string, version: string): string {
  return join(cacheDir, 'solc', version, 'soljson.js');
}

/**
 * The registry npm would use: `npm_config_registry` in the environment (npm sets it for scripts,
 * users for CI), else `registry=` in the project's `.npmrc`, then `~/.npmrc`, else npmjs.org.
 */
export function npmRegistry(projectRoot?: string, env: NodeJS.ProcessEnv = process.env, home = homedir()): string {
  const fromEnv = env.npm_config_registry || env.NPM_CONFIG_REGISTRY;
  const candidates = [fromEnv, ...[projectRoot && join(projectRoot, '.npmrc'), join(home, '.npmrc')].map((file) => file && registryIn(file))];
  const found = candidates.find((r): r is string => typeof r === 'string' && /^https?:\/\//.test(r));
  return (found ?? DEFAULT_REGISTRY).replace(/\/?$/, '/');
}

function registryIn(npmrc: string): string | undefined {
  try {
    return /^\s*registry\s*=\s*(\S+)\s*$/m.exec(readFileSync(npmrc, 'utf8'))?.[1];
  } catch {
    return undefined;
  }
}

export interface DownloadProgress {
  version: string;
  /** Bytes received so far, and the total when the registry says it. */
  received: number;
  total?: number;
}

export interface DownloadOptions {
  cacheDir: string;
  registry?: string;
  onProgress?: (progress: DownloadProgress) => void;
  signal?: AbortSignal;
}

/** The versions of `solc` the registry has, newest last as the registry lists them. */
export async function registrySolcVersions(registry = DEFAULT_REGISTRY, signal?: AbortSignal): Promise<string[]> {
  const response = await fetch(`${registry.replace(/\/?$/, '/')}solc`, {
    headers: { accept: 'application/vnd.npm.install-v1+json' },
    ...(signal ? { signal } : {}),
  });
  if (!response.ok) throw new Error(`${registry}solc: HTTP ${response.status}`);
  const body = (await response.json()) as { versions?: Record<string, unknown> };
  return Object.keys(body.versions ?? {});
}

/**
 * Fetches `solc@<version>` from the registry, verifies its integrity and writes its soljson.js
 * to the cache; returns the soljson.js path. Throws with a readable message on any failure
 * (nothing is written then).
 */
export async function downloadSolcJs(version: string, options: DownloadOptions): Promise<string> {
  const registry = (options.registry ?? DEFAULT_REGISTRY).replace(/\/?$/, '/');
  const signal = options.signal;
  const metaResponse = await fetch(`${registry}solc/${encodeURIComponent(version)}`, signal ? { signal } : {});
  if (!metaResponse.ok) throw new Error(`solc@${version} is not on ${registry} (HTTP ${metaResponse.status})`);
  const meta = (await metaResponse.json()) as { dist?: { tarball?: string; integrity?: string } };
  const tarball = meta.dist?.tarball;
  const integrity = meta.dist?.integrity;
  if (!tarball || !integrity?.startsWith('sha512-')) throw new Error(`${registry}solc/${version} gives no tarball with a sha512 integrity`);

  const response = await fetch(tarball, signal ? { signal } : {});
  if (!response.ok || !response.body) throw new Error(`${tarball}: HTTP ${response.status}`);
  const total = Number(response.headers.get('content-length')) || undefined;
  const chunks: Buffer[] = [];
  let received = 0;
  const reader = response.body.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    chunks.push(Buffer.from(value));
    received += value.byteLength;
    options.onProgress?.({ version, received, ...(total ? { total } : {}) });
  }
  const data = Buffer.concat(chunks);
  const digest = `sha512-${createHash('sha512').update(data).digest('base64')}`;
  if (digest !== integrity) throw new Error(`solc@${version} from ${tarball} does not match the registry's integrity ${integrity}`);

  const soljson = fileInTar(gunzipSync(data), 'package/soljson.js');
  if (!soljson) throw new Error(`solc@${version}'s tarball has no soljson.js`);
  const target = cachedSoljsonPath(options.cacheDir, version);
  mkdirSync(dirname(target), { recursive: true });
  // Written aside, then renamed: a reader never sees half a compiler.
  const partial = `${target}.${process.pid}.partial`;
  writeFileSync(partial, soljson);
  renameSync(partial, target);
  return target;
}

/** One file of an (uncompressed) tar archive, by its path. */
export function fileInTar(tar: Buffer, wanted: string): Buffer | undefined {
  let offset = 0;
  let longName: string | undefined;
  while (offset + 512 <= tar.length) {
    const header = tar.subarray(offset, offset + 512);
    if (header.every((b) => b === 0)) break;
    const field = (start: number, length: number) => header.subarray(start, start + length).toString('utf8').replace(/\0.*$/s, '');
    const size = parseInt(field(124, 12).trim() || '0', 8);
    const type = field(156, 1);
    const prefix = field(345, 155);
    const name = longName ?? (prefix ? `${prefix}/${field(0, 100)}` : field(0, 100));
    longName = undefined;
    const body = tar.subarray(offset + 512, offset + 512 + size);
    if (type === 'x') {
      // A pax header: its `path=` record names the next entry.
      longName = /\d+ path=([^\n]*)\n/.exec(body.toString('utf8'))?.[1];
    } else if ((type === '0' || type === '') && name === wanted) {
      return Buffer.from(body);
    }
    offset += 512 + Math.ceil(size / 512) * 512;
  }
  return undefined;
}
