#!/usr/bin/env bash
# Runs every cargo-fuzz target (fuzz/) for a while each, one after another,
# with one job (installs cargo-fuzz first when it is missing; needs the
# nightly toolchain). New inputs go into fuzz/corpus/<target>/, crashes into
# fuzz/artifacts/<target>/ — keep each as a fixture under
# tests/data/fuzz/<target>/ (tests/fuzz_replay.rs replays them on stable).
#
#   scripts/fuzz.sh [--cmin] [SECONDS] [TARGET...]
#
# SECONDS per target (default 600); TARGET defaults to every target.
# --cmin minimises each target's corpus afterwards (before committing it).
set -euo pipefail
cd "$(dirname "$0")/../fuzz"
export PATH="$HOME/.cargo/bin:$PATH"

cmin=no
if [ "${1:-}" = "--cmin" ]; then cmin=yes; shift; fi
seconds=${1:-600}
shift || true

if ! cargo +nightly --version >/dev/null 2>&1; then
  rustup toolchain install nightly --profile minimal
fi
if ! cargo fuzz --version >/dev/null 2>&1; then
  cargo install cargo-fuzz --locked
fi

targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then
  mapfile -t targets < <(cargo +nightly fuzz list)
fi

crashed=()
for t in "${targets[@]}"; do
  printf '\n==> fuzzing %s for %s s\n' "$t" "$seconds"
  mkdir -p "corpus/$t"
  dict=()
  if [ -f "dict/$t.dict" ]; then dict=("-dict=dict/$t.dict"); fi
  before=$( (ls "artifacts/$t" 2>/dev/null || true) | wc -l)
  # -jobs=1 runs the fuzzer in a child process logging to fuzz-0.log.
  status=0
  nice -n 10 cargo +nightly fuzz run "$t" "corpus/$t" -- \
    -max_total_time="$seconds" -rss_limit_mb=4096 -jobs=1 "${dict[@]}" || status=$?
  tail -n 3 fuzz-0.log 2>/dev/null || true
  after=$( (ls "artifacts/$t" 2>/dev/null || true) | wc -l)
  if [ "$status" -ne 0 ] || [ "$after" -gt "$before" ]; then
    crashed+=("$t")
  fi
  if [ "$cmin" = yes ]; then
    nice -n 10 cargo +nightly fuzz cmin "$t" "corpus/$t"
  fi
done

if [ ${#crashed[@]} -gt 0 ]; then
  printf '\ncrashed: %s (inputs in fuzz/artifacts/)\n' "${crashed[*]}"
  exit 1
fi
printf '\nno crashes\n'
