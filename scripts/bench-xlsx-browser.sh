#!/usr/bin/env bash
# In-browser Excel benchmark: the app opens and profiles a 100,000-row,
# 20-column .xlsx (the explore benchmark's CSV, its first 100,000 rows,
# written by pandas' to_excel with openpyxl) — profile, alerts and
# correlations, charts, report — beside DuckDB-WASM's read_xlsx (its excel
# extension) + SUMMARIZE on the same file, in headless Chromium
# (scripts/bench-explore.sh, given the .xlsx file).
#   scripts/bench-xlsx-browser.sh           print the figures
#   scripts/bench-xlsx-browser.sh --write   also put them into BENCHMARKS.md
# PLAINSIGHT_DIST and PLAINSIGHT_BENCH_RUNS as for scripts/bench-explore.sh.
set -euo pipefail
cd "$(dirname "$0")/.."
PLAINSIGHT_BENCH_XLSX=1 exec scripts/bench-explore.sh "$@"
