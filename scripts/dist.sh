#!/usr/bin/env bash
# Build installers for this OS and architecture with electron-builder: AppImage + deb (Linux), dmg + zip (macOS),
# NSIS (Windows). Cross-builds and macOS universal builds belong to CI runners of each OS.
#
# electron-builder packages the Electron runtime. This script uses the one npm installed (node_modules/electron/dist)
# and never lets electron-builder fetch another, so it works offline when that binary exists, and otherwise stops
# and says why.
set -euo pipefail
source "$(dirname "$0")/env.sh"
cd "$CONVENE_ROOT"

case "$(uname -s)" in
  Linux) os=--linux; targets=(AppImage deb) ;;
  Darwin) os=--mac; targets=(dmg zip) ;;
  MINGW* | MSYS* | CYGWIN*) os=--win; targets=(nsis) ;;
  *) echo "dist: unsupported OS $(uname -s)" >&2; exit 2 ;;
esac
case "$(uname -m)" in
  x86_64 | amd64) arch=--x64 ;;
  arm64 | aarch64) arch=--arm64 ;;
  *) echo "dist: unsupported CPU $(uname -m)" >&2; exit 2 ;;
esac

echo "::: validating electron-builder.yml"
npx tsx scripts/check-builder-config.ts

if ! exe="$(npx tsx scripts/electron-binary.ts)"; then
  cat >&2 <<MSG

dist: cannot build installers here: no Electron binary is installed.
  node_modules/electron has no runtime (ELECTRON_SKIP_BINARY_DOWNLOAD=1 was set, or its download failed), and
  electron-builder must copy that runtime into every installer. This machine cannot download it (only the npm
  registry is reachable), so nothing was built. The configuration above was validated.
  On a machine with internet access: env -u ELECTRON_SKIP_BINARY_DOWNLOAD npm ci && npm run dist
MSG
  exit 2
fi
echo "::: Electron runtime: $exe"

echo "::: building the app (electron-vite)"
npx electron-vite build

echo "::: packaging ${targets[*]} ($os $arch)"
# --publish never: uploading the update feed is a separate, signed release step.
npx electron-builder "$os" "${targets[@]}" "$arch" --publish never \
  -c.electronDist=node_modules/electron/dist "$@"
echo "dist: installers are in dist/"
