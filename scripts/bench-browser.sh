#!/usr/bin/env bash
# In-browser ingest benchmark: the app against PapaParse on a 1,000,000-row,
# 12-column CSV (~100 MB), in headless Chromium (benches/browser_ingest.rs).
#   scripts/bench-browser.sh           print the figures
#   scripts/bench-browser.sh --write   also put them into BENCHMARKS.md
# Set PLAINSIGHT_DIST to use an existing build instead of building dist/.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/bench-prelude.sh

csv=target/bench-1m.csv
if [ ! -s "$csv" ]; then
  printf '\n==> writing %s (1,000,000 rows)\n' "$csv"
  mkdir -p target
  cargo run --release --bin plainsight -- bench-data 1000000 > "$csv.partial"
  mv "$csv.partial" "$csv"
fi

papa=.tools/node_modules/papaparse/papaparse.min.js
if [ ! -f "$papa" ]; then
  printf '\n==> installing PapaParse into .tools (npm)\n'
  npm install --prefix .tools --no-audit --no-fund papaparse
fi

printf '\n==> running the browser benchmark\n'
cargo bench --bench browser_ingest -- "$@"
