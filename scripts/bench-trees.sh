#!/usr/bin/env bash
# The tree learners in the browser (wasm, one thread) on 100,000 rows × 20
# features, beside scikit-learn natively on the same data (one thread):
# benches/browser_trees.rs, examples/ml_speed.rs, tests/data/ml/sklearn_speed.py.
#   scripts/bench-trees.sh
# Set PLAINSIGHT_DIST to use an existing build instead of building dist/.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/bench-prelude.sh
printf '\n==> in the browser (wasm)\n'
cargo bench --bench browser_trees
printf '\n==> natively (Rust)\n'
cargo run --release --example ml_speed -- --csv target/trees-100k-20.csv
if python3 -c "import sklearn" 2>/dev/null; then
  printf '\n==> scikit-learn (one thread)\n'
  OMP_NUM_THREADS=1 python3 tests/data/ml/sklearn_speed.py target/trees-100k-20.csv
else
  echo "scikit-learn is not installed (pip install scikit-learn) — skipped"
fi
