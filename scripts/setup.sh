#!/usr/bin/env bash
# Installs what Plainsight needs on a fresh Debian machine that has only rustup/cargo.
#   scripts/setup.sh app    wasm target, clang (apt-get; zstd for wasm32), Trunk 0.21.14,
#                           wasm-bindgen-cli (the Cargo.lock version), binaryen's wasm-opt
#                           (npm, .tools/binaryen; Node.js and npm from apt-get if missing)
#   scripts/setup.sh test   the above plus Chromium and ChromeDriver (apt-get), DuckDB
#                           (PyPI duckdb in .tools/venv) for the SQL export test, pandas
#                           and pyarrow (.tools/venv) to read the Parquet download,
#                           polars and PySpark (.tools/venv) with a Java 17 runtime (apt-get)
#                           for the export tests, and axe-core (npm, .tools/axe) for the
#                           accessibility check
# Every step is skipped when its tool is already there at the right version.
set -euo pipefail
cd "$(dirname "$0")/.."
what="${1:-app}"
export PATH="$HOME/.cargo/bin:$PATH"

say() { printf '\n==> %s\n' "$*"; }

need_npm() {
  if ! command -v npm >/dev/null; then
    SUDO=""
    [ "$(id -u)" -ne 0 ] && SUDO="sudo"
    $SUDO apt-get update
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y --no-install-recommends nodejs npm
  fi
}

if ! rustup target list --installed | grep -qx wasm32-unknown-unknown; then
  say "adding the wasm32-unknown-unknown target"
  rustup target add wasm32-unknown-unknown
fi

# zstd (Parquet and Arrow files compressed with it) is C: the wasm32 build
# compiles it with clang.
if ! command -v clang >/dev/null; then
  say "installing clang (builds zstd for wasm32)"
  SUDO=""
  [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  $SUDO apt-get update
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y --no-install-recommends clang
fi

TRUNK_VERSION=0.21.14
if ! trunk --version 2>/dev/null | grep -q "$TRUNK_VERSION"; then
  say "installing trunk $TRUNK_VERSION (a few minutes, once)"
  cargo install trunk --version "$TRUNK_VERSION" --locked
fi

# wasm-bindgen-cli must match the wasm-bindgen crate in Cargo.lock exactly.
WB_VERSION=$(awk '/^name = "wasm-bindgen"$/{getline; gsub(/version = |"/, ""); print; exit}' Cargo.lock)
if [ -z "$WB_VERSION" ]; then
  echo "could not read the wasm-bindgen version from Cargo.lock" >&2
  exit 1
fi
if ! wasm-bindgen --version 2>/dev/null | grep -q "$WB_VERSION"; then
  say "installing wasm-bindgen-cli $WB_VERSION (a few minutes, once)"
  cargo install wasm-bindgen-cli --version "$WB_VERSION" --locked ||
    cargo install wasm-bindgen-cli --version "$WB_VERSION"
fi

# wasm-opt shrinks the shipped wasm in release builds (index.html's
# data-wasm-opt, Trunk.toml's [tools] version). Debian's binaryen is too old
# to read rustc 1.95's wasm; npm's binaryen (wasm-opt compiled to wasm, run
# by Node.js) reads it. Trunk finds it on PATH: the scripts put
# .tools/binaryen/node_modules/.bin there.
BINARYEN_VERSION=132.0.0
if ! grep -qs "\"version\": \"$BINARYEN_VERSION\"" .tools/binaryen/node_modules/binaryen/package.json; then
  say "installing binaryen $BINARYEN_VERSION's wasm-opt (.tools/binaryen, npm)"
  need_npm
  mkdir -p .tools/binaryen
  npm install --silent --no-audit --no-fund --prefix .tools/binaryen "binaryen@$BINARYEN_VERSION"
fi

if [ "$what" = "test" ]; then
  if ! command -v chromium >/dev/null || ! command -v chromedriver >/dev/null; then
    say "installing Chromium and ChromeDriver"
    SUDO=""
    [ "$(id -u)" -ne 0 ] && SUDO="sudo"
    $SUDO apt-get update
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y --no-install-recommends chromium chromium-driver
  fi

  # The accessibility check of the browser tests runs axe-core in the page.
  AXE_VERSION=4.14.1
  if ! grep -qs "\"version\": \"$AXE_VERSION\"" .tools/axe/node_modules/axe-core/package.json; then
    say "installing axe-core $AXE_VERSION for the tests (.tools/axe)"
    need_npm
    mkdir -p .tools/axe
    npm install --silent --no-audit --no-fund --prefix .tools/axe "axe-core@$AXE_VERSION"
  fi

  # The SQL export test runs the exported SQL in real DuckDB (tests/sql/compare.py).
  DUCKDB_VERSION=2.0.0
  if ! .tools/venv/bin/python -c "import duckdb, sys; sys.exit(duckdb.__version__ != '$DUCKDB_VERSION')" 2>/dev/null; then
    say "installing DuckDB $DUCKDB_VERSION for the tests (.tools/venv)"
    if ! command -v python3 >/dev/null || ! python3 -c "import venv, ensurepip" 2>/dev/null; then
      SUDO=""
      [ "$(id -u)" -ne 0 ] && SUDO="sudo"
      $SUDO apt-get update
      DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y --no-install-recommends python3 python3-venv
    fi
    python3 -m venv .tools/venv
    .tools/venv/bin/pip install --quiet "duckdb==$DUCKDB_VERSION"
  fi

  # The Parquet download is read back with pandas (pyarrow) in a browser test.
  PANDAS_VERSION=3.1.1
  PYARROW_VERSION=26.0.1
  if ! .tools/venv/bin/python -c "import pandas, pyarrow, sys; sys.exit((pandas.__version__, pyarrow.__version__) != ('$PANDAS_VERSION', '$PYARROW_VERSION'))" 2>/dev/null; then
    say "installing pandas $PANDAS_VERSION and pyarrow $PYARROW_VERSION for the tests (.tools/venv)"
    .tools/venv/bin/pip install --quiet "pandas==$PANDAS_VERSION" "pyarrow==$PYARROW_VERSION"
  fi

  # The export tests run the exported polars code in polars, and the PySpark
  # script in Spark (local mode), which needs Java 17 or later.
  if ! command -v java >/dev/null || ! java -version 2>&1 | grep -Eq 'version "(1[7-9]|[2-9][0-9])'; then
    say "installing a Java runtime (Debian's default, 17 or later) for Spark"
    SUDO=""
    [ "$(id -u)" -ne 0 ] && SUDO="sudo"
    $SUDO apt-get update
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y --no-install-recommends default-jre-headless
  fi
  POLARS_VERSION=2.1.0
  if ! .tools/venv/bin/python -c "import polars, sys; sys.exit(polars.__version__ != '$POLARS_VERSION')" 2>/dev/null; then
    say "installing polars $POLARS_VERSION for the tests (.tools/venv)"
    .tools/venv/bin/pip install --quiet "polars==$POLARS_VERSION"
  fi
  PYSPARK_VERSION=4.3.0
  if ! .tools/venv/bin/python -c "import pyspark, sys; sys.exit(pyspark.__version__ != '$PYSPARK_VERSION')" 2>/dev/null; then
    say "installing PySpark $PYSPARK_VERSION for the tests (.tools/venv; a few minutes, once)"
    .tools/venv/bin/pip install --quiet "pyspark==$PYSPARK_VERSION"
  fi
fi
