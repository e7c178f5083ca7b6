#!/usr/bin/env bash
# Cold start of the built app on localhost with an empty cache, in headless
# Chromium (benches/browser_coldstart.rs): first paint, app drawn, workspace
# ready, engine started, and the sizes of the shipped wasm.
#   scripts/bench-coldstart.sh           print the figures
#   scripts/bench-coldstart.sh --write   also put them into BENCHMARKS.md
# PLAINSIGHT_DISTS="label=path …" compares existing builds side by side in
# one session instead of building dist/ (e.g. "opt=dist noopt=target/dist-noopt").
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh test
export PATH="$PWD/.tools/binaryen/node_modules/.bin:$HOME/.cargo/bin:$PATH"

if [ -z "${PLAINSIGHT_DISTS:-}" ]; then
  printf '\n==> building the app (trunk build --release)\n'
  trunk build --release --offline
fi

printf '\n==> running the cold-start benchmark\n'
cargo bench --bench browser_coldstart -- "$@"
