# Sourced by the browser benchmark scripts, from the repository's root:
# installs what the benchmarks need (scripts/setup.sh test), puts the tools
# on PATH and builds the app into dist/ unless PLAINSIGHT_DIST names an
# existing build.
scripts/setup.sh test
export PATH="$PWD/.tools/binaryen/node_modules/.bin:$HOME/.cargo/bin:$PATH"

if [ -z "${PLAINSIGHT_DIST:-}" ]; then
  printf '\n==> building the app (trunk build --release)\n'
  trunk build --release --offline
fi
