#!/usr/bin/env bash
# Builds Plainsight and serves it on http://127.0.0.1:8080 (installs the tools first).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh app
export PATH="$PWD/.tools/binaryen/node_modules/.bin:$HOME/.cargo/bin:$PATH"
exec trunk serve --release --offline --no-autoreload "$@"
