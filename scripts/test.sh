#!/usr/bin/env bash
# Runs every test: native engine tests, then the browser end-to-end tests in
# headless Chromium against a release build (installs the tools first).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh test
export PATH="$HOME/.cargo/bin:$PATH"

printf '\n==> building the app (trunk build --release)\n'
trunk build --release --offline

printf '\n==> running all tests\n'
cargo test
