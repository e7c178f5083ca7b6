#!/usr/bin/env bash
# `plainsight predict` on big CSV files: peak memory (max RSS) and time, in
# batches of 100,000 rows (the default), beside the same file scored in one
# batch (the whole file in memory at once, as a whole read holds it).
# A gradient-boosting model of `is_member` is trained on 100,000 rows of
# the benchmark data first; the files to score are the same generator's.
#   scripts/bench-predict.sh [ROWS ...]      (default: 1000000 10000000)
# The 10-million-row file is ~1.3 GB (twice that on disk with its output).
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$HOME/.cargo/bin:$PATH"
cargo build --release --bin plainsight
bin=target/release/plainsight
dir=target/bench-predict
mkdir -p "$dir"
"$bin" bench-data 100000 > "$dir/train.csv"
"$bin" train "$dir/train.csv" --target is_member --model gradient_boosting \
  --save-model "$dir/model.psml" > /dev/null
measure() { # label, rows, batch rows
  local out="$dir/scored.csv"
  /usr/bin/time -f '%M %e' -o "$dir/time.txt" \
    "$bin" predict "$dir/model.psml" "$dir/score.csv" -o "$out" --batch-rows "$3" > /dev/null
  read -r kb secs < "$dir/time.txt"
  printf '| %s | %s | %s | %d MB | %s s | %s |\n' "$1" "$2" \
    "$(du -m "$dir/score.csv" | cut -f1) MB" "$((kb / 1024))" "$secs" \
    "$(($(wc -l < "$out") - 1)) rows scored"
  rm -f "$out"
}
echo
echo "| how | rows | file | peak memory (max RSS) | time | output |"
echo "|---|---|---|---|---|---|"
for rows in ${@:-1000000 10000000}; do
  "$bin" bench-data "$rows" > "$dir/score.csv"
  measure "batches of 100,000 rows" "$rows" 100000
  if [ "$rows" -le 1000000 ]; then
    measure "one batch (the whole file)" "$rows" "$rows"
  fi
done
rm -f "$dir/score.csv"
