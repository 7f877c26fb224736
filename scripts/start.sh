#!/usr/bin/env bash
# Install what is missing, build, and start Convene on the embedded local backend: the desktop app when an
# Electron binary is installed, otherwise web mode with the URL to open.
set -euo pipefail
source "$(dirname "$0")/env.sh"
cd "$CONVENE_ROOT"
ensure_deps
npx electron-vite build >/dev/null
# Never `require("electron")` to find out: when the binary is missing it starts downloading it.
electron_bin="node_modules/electron/dist/$(cat node_modules/electron/path.txt 2>/dev/null || echo none)"
if [ "${CONVENE_SHELL:-}" != web ] && [ -n "${DISPLAY:-}${WAYLAND_DISPLAY:-}${MACOS:-}" ] && [ -x "$electron_bin" ]; then
  exec npx electron-vite preview
fi
echo "No Electron binary (or no display) here: starting web mode." >&2
exec npx tsx server/serve.ts "$@"
