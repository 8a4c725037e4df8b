// Secrets of an RPC URL kept out of every output: the URL itself (path and query masked), and each
// path segment, query value and user info on its own, since an upstream may echo the API key
// without the URL around it ("project SECRETKEY rate limited").

/** The URL with its path and query masked: RPC URLs often carry an API key. */
export function maskRpcUrl(url: string): string {
  try {
    const parsed = new URL(url);
    const hidden = parsed.pathname.length > 1 || parsed.search ? '/…' : '';
    return `${parsed.protocol}//${parsed.host}${hidden}`;
  } catch {
    return '<invalid URL>';
  }
}

/** Parts shorter than this are masked only inside the URL: "v2" or "eth" are no secrets, and masking them would garble addresses and words. */
const MIN_SECRET_LENGTH = 6;
const escapeRegExp = (text: string): string => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** The secret-looking parts of a URL: path segments, query values, user name and password (raw and decoded). */
export function urlSecrets(url: string): string[] {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return [];
  }
  const raw = [...parsed.pathname.split('/'), ...[...parsed.searchParams.values()], ...parsed.search.slice(1).split('&').map((pair) => pair.slice(pair.indexOf('=') + 1)), parsed.username, parsed.password, parsed.hash.slice(1)];
  const parts = new Set<string>();
  for (const part of raw) {
    for (const form of [part, safeDecode(part)]) if (form.length >= MIN_SECRET_LENGTH) parts.add(form);
  }
  // Longest first, so that a part containing another is masked whole.
  return [...parts].sort((a, b) => b.length - a.length);
}

function safeDecode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

/**
 * A function that masks, in any text, every URL with the origin of one of `urls` (path and query
 * hidden) and every secret part of those URLs. URLs without a path or query (a local anvil) are left.
 */
export function secretMasker(urls: readonly (string | undefined)[]): (text: string) => string {
  const patterns: RegExp[] = [];
  const secrets = new Set<string>();
  for (const url of urls) {
    if (!url || url === 'local') continue;
    let origin: string;
    try {
      origin = new URL(url).origin;
    } catch {
      // Not a URL: mask it whole.
      if (url.length >= MIN_SECRET_LENGTH) secrets.add(url);
      continue;
    }
    if (maskRpcUrl(url) === url) continue;
    if (origin !== 'null') patterns.push(new RegExp(`${escapeRegExp(origin)}[^\\s"'<>)]*`, 'g'));
    secrets.add(url);
    for (const part of urlSecrets(url)) secrets.add(part);
  }
  if (patterns.length === 0 && secrets.size === 0) return (text) => text;
  const parts = new RegExp([...secrets].sort((a, b) => b.length - a.length).map(escapeRegExp).join('|'), 'g');
  return (text) => {
    let out = text;
    for (const pattern of patterns) out = out.replace(pattern, (found) => maskRpcUrl(found));
    return secrets.size > 0 ? out.replace(parts, '…') : out;
  };
}

/** `value` with `mask` applied to every string in it (objects and arrays copied). */
export function maskDeep<T>(value: T, mask: (text: string) => string): T {
  const walk = (v: unknown): unknown => {
    if (typeof v === 'string') return mask(v);
    if (Array.isArray(v)) return v.map(walk);
    if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, inner]) => [k, walk(inner)]));
    return v;
  };
  return walk(value) as T;
}
