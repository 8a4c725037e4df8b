// The npm dependency versions a project was built with, read from its lock file (package-lock.json
// v1–v3, yarn.lock classic and berry, pnpm-lock.yaml v5–v9), keyed by the folder each package is
// installed in (`node_modules/@scope/name`, nested `node_modules/a/node_modules/b`).

export interface LockedPackage {
  /** The package's registry name (differs from the folder for aliases such as `x-v4@npm:x@4`). */
  name: string;
  version: string;
  /** Tarball URL recorded in the lock, when it has one. */
  resolved?: string;
  /** Subresource-integrity string (`sha512-…`), or `sha1-…` derived from a yarn `#sha1` URL. */
  integrity?: string;
}

export interface LockedPackages {
  /** The lock file's name, for messages (`package-lock.json`). */
  lockFile: string;
  /** Install folder relative to the lock's folder, `/`-separated → package. */
  packages: Map<string, LockedPackage>;
}

export const LOCK_FILE_NAMES = ['package-lock.json', 'npm-shrinkwrap.json', 'yarn.lock', 'pnpm-lock.yaml'];

/**
 * The first lock file `read` finds in a folder (names relative to it), parsed; undefined when the
 * folder has none. `package.json` is read to tell direct dependencies in yarn and pnpm locks.
 */
export function readLockedPackages(read: (name: string) => string | undefined): LockedPackages | undefined {
  for (const lockFile of LOCK_FILE_NAMES) {
    const text = read(lockFile);
    if (text === undefined) continue;
    const manifest = parsePackageJson(read('package.json'));
    if (lockFile.endsWith('.json')) return { lockFile, packages: parsePackageLock(text) };
    if (lockFile === 'yarn.lock') return { lockFile, packages: parseYarnLock(text, manifest) };
    return { lockFile, packages: parsePnpmLock(text) };
  }
  return undefined;
}

/** Exact versions pinned in package.json (`"x": "4.9.6"`, `"x-v4": "npm:x@4.9.6"`), for projects without a lock. */
export function pinnedInPackageJson(text: string | undefined): Map<string, LockedPackage> {
  const out = new Map<string, LockedPackage>();
  for (const [folderName, range] of Object.entries(parsePackageJson(text))) {
    const { name, spec } = splitAlias(folderName, range);
    if (/^\d+\.\d+\.\d+(-[\w.]+)?$/.test(spec)) out.set(`node_modules/${folderName}`, { name, version: spec });
  }
  return out;
}

function parsePackageJson(text: string | undefined): Record<string, string> {
  if (text === undefined) return {};
  try {
    const data = JSON.parse(text) as Record<string, unknown>;
    const deps: Record<string, string> = {};
    for (const field of ['dependencies', 'devDependencies', 'optionalDependencies']) {
      const value = data[field];
      if (value && typeof value === 'object') Object.assign(deps, value);
    }
    return deps;
  } catch {
    return {};
  }
}

/** `npm:@scope/x@^4` under folder `x-v4` → {name: @scope/x, spec: ^4}; a plain range keeps the folder's name. */
function splitAlias(folderName: string, range: string): { name: string; spec: string } {
  if (!range.startsWith('npm:')) return { name: folderName, spec: range };
  const aliased = range.slice(4);
  const at = aliased.lastIndexOf('@');
  return at > 0 ? { name: aliased.slice(0, at), spec: aliased.slice(at + 1) } : { name: aliased, spec: '' };
}

interface NpmLockEntry {
  name?: string;
  version?: string;
  resolved?: string;
  integrity?: string;
  link?: boolean;
  dependencies?: Record<string, NpmLockEntry>;
}

function parsePackageLock(text: string): Map<string, LockedPackage> {
  const out = new Map<string, LockedPackage>();
  let data: { packages?: Record<string, NpmLockEntry>; dependencies?: Record<string, NpmLockEntry> };
  try {
    data = JSON.parse(text) as typeof data;
  } catch {
    return out;
  }
  if (data.packages) {
    // v2 / v3: keys are install folders.
    for (const [folder, entry] of Object.entries(data.packages)) {
      if (!folder.includes('node_modules/') || entry.link || entry.version === undefined) continue;
      const folderName = folder.slice(folder.lastIndexOf('node_modules/') + 'node_modules/'.length);
      out.set(folder, withOptional({ name: entry.name ?? folderName, version: entry.version }, entry.resolved, entry.integrity));
    }
    return out;
  }
  // v1: nested `dependencies`; aliases record `version: "npm:x@1.2.3"`.
  const walk = (deps: Record<string, NpmLockEntry> | undefined, prefix: string) => {
    for (const [folderName, entry] of Object.entries(deps ?? {})) {
      if (entry.version === undefined) continue;
      const folder = `${prefix}node_modules/${folderName}`;
      const { name, spec } = splitAlias(folderName, entry.version);
      out.set(folder, withOptional({ name, version: spec }, entry.resolved, entry.integrity));
      walk(entry.dependencies, `${folder}/`);
    }
  };
  walk(data.dependencies, '');
  return out;
}

/**
 * yarn.lock: entries are keyed by the descriptors they satisfy. Direct dependencies are installed
 * at the top; a package locked at a single version is hoisted there too.
 */
function parseYarnLock(text: string, direct: Record<string, string>): Map<string, LockedPackage> {
  const entries: { descriptors: string[]; fields: Record<string, string> }[] = [];
  let current: (typeof entries)[number] | undefined;
  for (const line of text.split(/\r?\n/)) {
    if (line.trim() === '' || line.startsWith('#')) continue;
    if (!/^\s/.test(line)) {
      const header = line.replace(/:\s*$/, '');
      // Classic quotes each descriptor, berry the whole list: descriptors never hold quotes.
      current = { descriptors: header.replace(/"/g, '').split(/,\s*/), fields: {} };
      entries.push(current);
      continue;
    }
    const m = /^\s+("?[\w-]+"?)[:\s]\s*(.*)$/.exec(line);
    if (m && current && /^ {2}\S/.test(line)) current.fields[unquote(m[1])] = unquote(m[2].trim());
  }
  const byName = new Map<string, LockedPackage[]>();
  const byDescriptor = new Map<string, LockedPackage>();
  for (const { descriptors, fields } of entries) {
    if (fields.version === undefined) continue;
    const first = descriptors[0];
    const name = descriptorName(first);
    // berry: `resolution: "@scope/x@npm:4.9.6"`; classic: `resolved "https://…/x-4.9.6.tgz#sha1"`.
    const resolution = fields.resolution !== undefined ? fields.resolution : undefined;
    const realName = resolution !== undefined ? descriptorName(resolution) : aliasTarget(first) ?? name;
    let integrity = fields.integrity;
    let resolved = fields.resolved;
    if (resolved !== undefined) {
      const hash = resolved.indexOf('#');
      if (hash >= 0) {
        if (integrity === undefined && /^[0-9a-f]{40}$/.test(resolved.slice(hash + 1))) integrity = `sha1-${Buffer.from(resolved.slice(hash + 1), 'hex').toString('base64')}`;
        resolved = resolved.slice(0, hash);
      }
    }
    const locked = withOptional({ name: realName, version: fields.version }, resolved, integrity);
    for (const d of descriptors) byDescriptor.set(d, locked);
    byName.set(name, [...(byName.get(name) ?? []), locked]);
  }
  const out = new Map<string, LockedPackage>();
  for (const [name, versions] of byName) if (versions.length === 1) out.set(`node_modules/${name}`, versions[0]);
  for (const [folderName, range] of Object.entries(direct)) {
    const locked = byDescriptor.get(`${folderName}@${range}`) ?? byDescriptor.get(`${folderName}@npm:${range}`);
    if (locked) out.set(`node_modules/${folderName}`, locked);
  }
  return out;
}

/** `@scope/x@^1.0.0` → `@scope/x`; `x@npm:^1` → `x`. */
function descriptorName(descriptor: string): string {
  const at = descriptor.indexOf('@', 1);
  return at < 0 ? descriptor : descriptor.slice(0, at);
}

/** `x-v4@npm:@scope/x@4.9.6` → `@scope/x` (a yarn classic alias). */
function aliasTarget(descriptor: string): string | undefined {
  const m = /^(?:@[^/]+\/)?[^@]+@npm:((?:@[^/]+\/)?[^@]+)@/.exec(descriptor);
  return m ? m[1] : undefined;
}

/**
 * pnpm-lock.yaml, the parts we need: the root importer's direct dependencies (v5 `dependencies:
 * name: 1.2.3`, v6+ `name: {specifier, version}`, v9 under `importers: .:`), and each package's
 * `resolution: {integrity, tarball}`. pnpm links direct dependencies at `node_modules/<name>`.
 */
function parsePnpmLock(text: string): Map<string, LockedPackage> {
  const lines = text.split(/\r?\n/);
  const direct = new Map<string, string>();
  const resolutions = new Map<string, { integrity?: string; tarball?: string }>();
  let section = '';
  let importer = '';
  let depName: string | undefined;
  let packageKey: string | undefined;
  for (const line of lines) {
    if (line.trim() === '' || line.trimStart().startsWith('#')) continue;
    const indent = line.length - line.trimStart().length;
    const body = line.trim();
    if (indent === 0) {
      section = body.replace(/:.*$/, '');
      importer = '.';
      depName = undefined;
      continue;
    }
    const inRootDeps = (section === 'dependencies' || section === 'devDependencies' || section === 'optionalDependencies') && indent >= 2;
    if (section === 'importers' && indent === 2) {
      importer = unquote(body.replace(/:\s*$/, ''));
      continue;
    }
    const depIndent = section === 'importers' ? 6 : 2;
    if ((inRootDeps || (section === 'importers' && importer === '.' && indent >= 4)) && indent >= depIndent) {
      if (indent === depIndent) {
        const m = /^('[^']*'|"[^"]*"|[^:\s]+):\s*(.*)$/.exec(body);
        if (!m) continue;
        depName = unquote(m[1]);
        if (m[2] !== '') direct.set(depName, unquote(m[2]));
      } else if (depName !== undefined) {
        const m = /^version:\s*(.*)$/.exec(body);
        if (m) direct.set(depName, unquote(m[1]));
      }
      continue;
    }
    if (section === 'packages' && indent === 2) {
      packageKey = unquote(body.replace(/:\s*$/, ''));
      continue;
    }
    if (section === 'packages' && packageKey !== undefined && body.startsWith('resolution:')) {
      const integrity = /integrity:\s*([^,}\s]+)/.exec(body)?.[1];
      const tarball = /tarball:\s*([^,}\s]+)/.exec(body)?.[1];
      resolutions.set(packageKey, { ...(integrity ? { integrity } : {}), ...(tarball ? { tarball } : {}) });
    }
  }
  const out = new Map<string, LockedPackage>();
  for (const [folderName, raw] of direct) {
    // `4.9.6`, `4.9.6(peer@1)`, `npm:@scope/x@4.9.6` (v5/v6 alias), `@scope/x@4.9.6` (v9 alias); `link:` is local.
    const version = raw.replace(/\(.*$/, '').replace(/_.*$/, '');
    if (version.startsWith('link:') || version.startsWith('file:')) continue;
    let name = folderName;
    let exact = version;
    const alias = /^(?:npm:|\/)?((?:@[^/@]+\/)?[^@]+)@(.+)$/.exec(version);
    if (alias) {
      name = alias[1];
      exact = alias[2];
    }
    const resolution = resolutions.get(`${name}@${exact}`) ?? resolutions.get(`/${name}@${exact}`) ?? resolutions.get(`/${name}/${exact}`);
    out.set(`node_modules/${folderName}`, withOptional({ name, version: exact }, resolution?.tarball, resolution?.integrity));
  }
  return out;
}

function withOptional(base: { name: string; version: string }, resolved: string | undefined, integrity: string | undefined): LockedPackage {
  return { ...base, ...(resolved ? { resolved } : {}), ...(integrity ? { integrity } : {}) };
}

function unquote(s: string): string {
  const t = s.trim();
  return (t.startsWith('"') && t.endsWith('"')) || (t.startsWith("'") && t.endsWith("'")) ? t.slice(1, -1) : t;
}
