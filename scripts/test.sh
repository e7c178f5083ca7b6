#!/usr/bin/env bash
# Runs every test: native engine tests, then the browser end-to-end tests in
# headless Chromium against a release build (installs the tools first).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh test
export PATH="$PWD/.tools/binaryen/node_modules/.bin:$HOME/.cargo/bin:$PATH"

printf '\n==> building the app (trunk build --release)\n'
trunk build --release --offline

printf '\n==> running all tests\n'
# One build from clean: incremental builds' caches would only take disk.
export CARGO_INCREMENTAL=0
# Unit tests, the native engine tests and the browser end-to-end tests (no
# doc tests: there are none, and their empty run would close the output).
log=$(mktemp)
set +e
cargo test --lib --bins --tests 2>&1 | tee "$log"
status=${PIPESTATUS[0]}
set -e
passed=$(grep -Eo '^test result: .* ([0-9]+) passed' "$log" | grep -Eo '[0-9]+ passed' | awk '{s+=$1} END {print s+0}')
failed=$(grep -Eo '^test result: .*; ([0-9]+) failed' "$log" | grep -Eo '[0-9]+ failed' | awk '{s+=$1} END {print s+0}')
rm -f "$log"
printf '\ntotal: %s passed, %s failed\n' "$passed" "$failed"
exit "$status"
