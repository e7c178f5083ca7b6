#!/usr/bin/env bash
# The tree learners in the browser (wasm, one thread) on 100,000 rows × 20
# features, beside scikit-learn natively on the same data (one thread):
# benches/browser_trees.rs, examples/ml_speed.rs, tests/data/ml/sklearn_speed.py
# and sklearn_models_speed.py (k-means, k-NN: the browser bench times them too).
#   scripts/bench-trees.sh
# Set PLAINSIGHT_DIST to use an existing build instead of building dist/.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/bench-prelude.sh
printf '\n==> in the browser (wasm)\n'
cargo bench --bench browser_trees
printf '\n==> natively (Rust)\n'
cargo run --release --example ml_speed -- --csv target/trees-100k-20.csv
# scikit-learn and pandas in .tools/venv (the system Python may have neither).
if [ ! -x .tools/venv/bin/python ]; then
  python3 -m venv .tools/venv
fi
if .tools/venv/bin/python -m pip install -q scikit-learn pandas; then
  printf '\n==> scikit-learn (one thread)\n'
  OMP_NUM_THREADS=1 .tools/venv/bin/python tests/data/ml/sklearn_speed.py target/trees-100k-20.csv
  # k-means and k-NN (goal 7 of issue 16), and the other leaderboard models.
  OMP_NUM_THREADS=1 .tools/venv/bin/python tests/data/ml/sklearn_models_speed.py target/trees-100k-20.csv
else
  echo "scikit-learn could not be installed into .tools/venv — skipped"
fi
