#!/usr/bin/env bash
# Retakes the screenshots in docs/screens and docs/screenshot.png from a
# release build (every tab at 1440 and 390 px, light and dark). Look at
# them before committing.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh test
export PATH="$PWD/.tools/binaryen/node_modules/.bin:$HOME/.cargo/bin:$PATH"
trunk build --release --offline
cargo test --test browser -- --ignored --exact retake_screenshots
ls -l docs/screens docs/screenshot.png
