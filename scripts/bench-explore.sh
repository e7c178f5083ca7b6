#!/usr/bin/env bash
# In-browser explore benchmark: the app's alerts, correlations, charts and
# report on a 1,000,000-row, 20-column CSV (~145 MB), beside DuckDB-WASM's
# SUMMARIZE on the same file, in headless Chromium (benches/browser_explore.rs).
#   scripts/bench-explore.sh           print the figures
#   scripts/bench-explore.sh --write   also put them into BENCHMARKS.md
# PLAINSIGHT_BENCH_XLSX=1 (scripts/bench-xlsx-browser.sh) runs it on the CSV's
# first 100,000 rows written as .xlsx by pandas (openpyxl).
# PLAINSIGHT_BENCH_PARQUET=1 (scripts/bench-parquet.sh) runs it on the CSV
# written as Parquet by DuckDB instead.
# Set PLAINSIGHT_DIST to use an existing build instead of building dist/,
# PLAINSIGHT_BENCH_RUNS for the number of runs (default 3),
# PLAINSIGHT_BENCH_CSV for another CSV file.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/bench-prelude.sh

csv=target/bench-1m-20.csv
if [ ! -s "$csv" ]; then
  printf '\n==> writing %s (1,000,000 rows × 20 columns)\n' "$csv"
  cargo bench --bench browser_explore -- --make-data "$csv" 1000000
fi

bench_file=$csv
# PLAINSIGHT_BENCH_CSV: another CSV (e.g. target/bench-1m.csv from
# `plainsight bench-data 1000000`, issue 16's second benchmark file).
if [ -n "${PLAINSIGHT_BENCH_CSV:-}" ]; then
  bench_file=$PLAINSIGHT_BENCH_CSV
fi
if [ -n "${PLAINSIGHT_BENCH_PARQUET:-}" ]; then
  bench_file=target/bench-1m-20.parquet
  if [ ! -s "$bench_file" ]; then
    printf '\n==> writing %s with DuckDB (.tools/venv)\n' "$bench_file"
    .tools/venv/bin/python -c "
import duckdb, sys
duckdb.sql(f\"COPY (SELECT * FROM read_csv_auto('{sys.argv[1]}')) TO '{sys.argv[2]}' (FORMAT parquet)\")
" "$csv" "$bench_file"
  fi
fi

if [ -n "${PLAINSIGHT_BENCH_XLSX:-}" ]; then
  bench_file=target/bench-100k-20.xlsx
  if [ ! -s "$bench_file" ]; then
    printf '\n==> writing %s with pandas + openpyxl (.tools/venv)\n' "$bench_file"
    .tools/venv/bin/pip install -q openpyxl
    .tools/venv/bin/python -c "
import pandas as pd, sys
pd.read_csv(sys.argv[1], nrows=100_000).to_excel(sys.argv[2], index=False, sheet_name='Data')
" "$csv" "$bench_file"
  fi
fi

# DuckDB-WASM and its Apache Arrow dependency, from npm; the benchmark serves
# the local bundle files (no CDN), so the run works offline.
DUCKDB_WASM_VERSION=1.32.0
duck=.tools/node_modules/@duckdb/duckdb-wasm
if ! grep -q "\"version\": \"$DUCKDB_WASM_VERSION\"" "$duck/package.json" 2>/dev/null ||
  [ ! -f "$duck/dist/duckdb-eh.wasm" ]; then
  printf '\n==> installing DuckDB-WASM %s into .tools (npm)\n' "$DUCKDB_WASM_VERSION"
  npm install --prefix .tools --no-audit --no-fund "@duckdb/duckdb-wasm@$DUCKDB_WASM_VERSION"
fi

printf '\n==> running the explore benchmark on %s\n' "$bench_file"
PLAINSIGHT_BENCH_CSV="$bench_file" cargo bench --bench browser_explore -- "$@"
