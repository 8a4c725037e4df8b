// npm package sources in Patchline's cache folder, content-addressed by name@version: fetched from
// the registry (the lock's tarball URL or the configured registry), checked against the lock's
// integrity, extracted without running anything. A tarball put there by `npm pack` works offline.
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { gunzipSync } from 'node:zlib';
import { integrityProblem, readTar } from '../npm-registry';
import type { LockedPackage } from './lockfiles';

export { configuredRegistry } from '../npm-registry';

/** `<cache>/npm/<name>@<version>`: the package's files (what its tarball holds under `package/`). */
export function packageCachePath(cacheDir: string, pkg: Pick<LockedPackage, 'name' | 'version'>): string {
  return path.join(cacheDir, 'npm', `${pkg.name}@${pkg.version}`);
}

/** Where `npm pack --pack-destination` leaves a tarball for Patchline to extract. */
export function tarballsDir(cacheDir: string): string {
  return path.join(cacheDir, 'npm', 'tarballs');
}

/** The file name `npm pack` gives a package's tarball: `@scope/x` 1.2.3 → `scope-x-1.2.3.tgz`. */
export function packedTarballName(pkg: Pick<LockedPackage, 'name' | 'version'>): string {
  return `${pkg.name.replace(/^@/, '').replace('/', '-')}-${pkg.version}.tgz`;
}

/** The command that brings `pkg` into the cache without Patchline (npm's own registry settings apply). */
export function fetchCommand(cacheDir: string, pkg: Pick<LockedPackage, 'name' | 'version'>): string {
  return `npm pack ${pkg.name}@${pkg.version} --pack-destination "${tarballsDir(cacheDir)}"`;
}

export type CachedPackage = { dir: string } | { missing: true } | { error: string };

/**
 * The cached sources of `pkg`, extracting a tarball `npm pack` left in the cache when needed.
 * Synchronous: the editor resolves baselines on every keystroke, and this never touches the network.
 */
export function cachedPackage(cacheDir: string, pkg: LockedPackage): CachedPackage {
  const dir = packageCachePath(cacheDir, pkg);
  if (fs.existsSync(dir)) return { dir };
  const tarball = path.join(tarballsDir(cacheDir), packedTarballName(pkg));
  if (!fs.existsSync(tarball)) return { missing: true };
  if (pkg.integrity === undefined) return { error: `${tarball} cannot be checked: the lock file records no integrity for ${pkg.name}@${pkg.version}` };
  try {
    const bytes = fs.readFileSync(tarball);
    const problem = integrityProblem(bytes, pkg.integrity);
    if (problem) return { error: `${tarball}: ${problem}` };
    extractInto(dir, bytes);
    return { dir };
  } catch (error) {
    return { error: `${tarball}: ${message(error)}` };
  }
}

export interface FetchOptions {
  cacheDir: string;
  /** Registry base URL for packages whose lock entry has no tarball URL. */
  registry: string;
  signal?: AbortSignal;
}

/** Downloads, verifies and extracts `pkg` into the cache; resolves to its folder. Rejects with a clear message. */
export async function fetchPackage(pkg: LockedPackage, options: FetchOptions): Promise<string> {
  const dir = packageCachePath(options.cacheDir, pkg);
  if (fs.existsSync(dir)) return dir;
  let url = pkg.resolved !== undefined && /^https?:\/\//.test(pkg.resolved) ? pkg.resolved : undefined;
  let integrity = pkg.integrity;
  if (url === undefined || integrity === undefined) {
    // The registry's metadata for this version names the tarball and its integrity.
    const metaUrl = `${options.registry.replace(/\/?$/, '/')}${pkg.name.replace('/', '%2f')}/${encodeURIComponent(pkg.version)}`;
    const meta = (await (await get(metaUrl, options.signal)).json()) as { dist?: { tarball?: string; integrity?: string; shasum?: string } };
    url ??= meta.dist?.tarball;
    integrity ??= meta.dist?.integrity ?? (meta.dist?.shasum ? `sha1-${Buffer.from(meta.dist.shasum, 'hex').toString('base64')}` : undefined);
    if (url === undefined) throw new Error(`${metaUrl} names no tarball`);
  }
  if (integrity === undefined) throw new Error(`no integrity is known for ${pkg.name}@${pkg.version}: refusing an unchecked download`);
  const bytes = Buffer.from(await (await get(url, options.signal)).arrayBuffer());
  const problem = integrityProblem(bytes, integrity);
  if (problem) throw new Error(`${url}: ${problem}`);
  extractInto(dir, bytes);
  return dir;
}

async function get(url: string, signal: AbortSignal | undefined): Promise<Response> {
  let response: Response;
  try {
    response = await fetch(url, { signal: signal ?? AbortSignal.timeout(120_000) });
  } catch (error) {
    const cause = (error as { cause?: unknown }).cause;
    throw new Error(`cannot reach ${url}: ${message(cause ?? error)}`);
  }
  if (!response.ok) throw new Error(`${url}: HTTP ${response.status}`);
  return response;
}

/** Extracts a gzipped npm tarball's `package/` into `dir`, atomically (a half-written folder never shows). */
function extractInto(dir: string, gzipped: Buffer): void {
  const temp = `${dir}.${process.pid}-${randomBytes(4).toString('hex')}.tmp`;
  try {
    for (const entry of readTar(gunzipSync(gzipped))) {
      // npm tarballs hold one top folder (`package/`, sometimes another name): drop it.
      const relative = entry.path.split('/').slice(1).join('/');
      if (relative === '' || relative.split('/').some((part) => part === '..' || part === '') || path.isAbsolute(relative)) continue;
      const target = path.join(temp, relative);
      fs.mkdirSync(path.dirname(target), { recursive: true });
      fs.writeFileSync(target, entry.data);
    }
    fs.mkdirSync(path.dirname(dir), { recursive: true });
    fs.mkdirSync(temp, { recursive: true });
    try {
      fs.renameSync(temp, dir);
    } catch (error) {
      // Another process extracted the same version first: theirs is as good as ours.
      if (!fs.existsSync(dir)) throw error;
    }
  } finally {
    fs.rmSync(temp, { recursive: true, force: true });
  }
}

function message(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
