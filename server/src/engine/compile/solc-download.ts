// Downloads a solc-js build from the npm registry (`solc@<version>`, whose tarball holds
// soljson.js) into Patchline's compiler cache: the registry is the one host users can be
// expected to reach. The tarball is checked against the registry's `dist.integrity` first.
import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { configuredRegistry, DEFAULT_REGISTRY, fileInTar, integrityProblem } from '../npm-registry';

export { fileInTar };

/** The registry npm would use for `solc`, from the project's folder. */
export function npmRegistry(projectRoot?: string, env: NodeJS.ProcessEnv = process.env, home = homedir()): string {
  return configuredRegistry(projectRoot, 'solc', env, home);
}

/** Where a downloaded solc-js build lives: `<cache>/solc/<version>/soljson.js`. */
export function cachedSoljsonPath(cacheDir: string, version: string): string {
  return join(cacheDir, 'solc', version, 'soljson.js');
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
  if (integrityProblem(data, integrity)) throw new Error(`solc@${version} from ${tarball} does not match the registry's integrity ${integrity}`);

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
