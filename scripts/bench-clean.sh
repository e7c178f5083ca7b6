#!/usr/bin/env bash
# The cleaning in the browser (benches/browser_clean.rs): a thorough
# proposal and the apply of its ticked steps on the 1,000,000-row ×
# 12-column CSV, then the same steps natively (examples/clean_speed.rs).
#   scripts/bench-clean.sh
# Set PLAINSIGHT_DIST to use an existing build instead of building dist/,
# PLAINSIGHT_BENCH_CSV for another file.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/bench-prelude.sh

csv=${PLAINSIGHT_BENCH_CSV:-target/bench-1m.csv}
if [ ! -s "$csv" ]; then
  printf '\n==> writing %s (1,000,000 rows)\n' "$csv"
  mkdir -p "$(dirname "$csv")"
  cargo run --release --bin plainsight -- bench-data 1000000 > "$csv.partial"
  mv "$csv.partial" "$csv"
fi

printf '\n==> in the browser (wasm)\n'
PLAINSIGHT_BENCH_CSV="$csv" cargo bench --bench browser_clean
printf '\n==> natively (Rust)\n'
cargo run --release --example clean_speed -- "$csv"
