#!/usr/bin/env bash
# In-browser Parquet benchmark: the app opens and profiles a 1,000,000-row,
# 20-column Parquet file (the explore benchmark's CSV written as Parquet by
# DuckDB, snappy) — profile, alerts and correlations, charts, report — beside
# DuckDB-WASM's read_parquet + SUMMARIZE on the same file, in headless
# Chromium (scripts/bench-explore.sh, given the .parquet file).
#   scripts/bench-parquet.sh           print the figures
#   scripts/bench-parquet.sh --write   also put them into BENCHMARKS.md
# PLAINSIGHT_DIST and PLAINSIGHT_BENCH_RUNS as for scripts/bench-explore.sh.
set -euo pipefail
cd "$(dirname "$0")/.."
PLAINSIGHT_BENCH_PARQUET=1 exec scripts/bench-explore.sh "$@"
