#!/usr/bin/env bash
# Trunk post_build hook (Trunk.toml [[hooks]]), run in the staging dir before
# Trunk moves it to dist/. Needs only bash and coreutils. It
#  1. moves each inline <script type="module"> Trunk injects (the wasm
#     loader) into its own file boot-<digest>.js, so index.html's CSP needs
#     no 'unsafe-inline' for scripts, and fails if any inline script is left;
#  2. writes sw.js from scripts/sw.template.js: the build id (a digest of
#     every staged file) names the service worker's cache, and every file is
#     listed with its SHA-256 integrity so the cache holds exactly this build.
# By hand: TRUNK_STAGING_DIR=dist scripts/pwa-postbuild.sh (idempotent).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
dir="${TRUNK_STAGING_DIR:?set by Trunk; by hand: TRUNK_STAGING_DIR=dist $0}"
html="$dir/index.html"
[ -f "$html" ] || { echo "pwa-postbuild: no $html" >&2; exit 1; }

# ---- 1. the inline loader script into a file ----
open='<script type="module">'
content="$(<"$html")"
while [[ "$content" == *"$open"* ]]; do
  before="${content%%"$open"*}"
  rest="${content#*"$open"}"
  [[ "$rest" == *"</script>"* ]] || { echo "pwa-postbuild: unclosed inline script in $html" >&2; exit 1; }
  body="${rest%%</script>*}"
  after="${rest#*</script>}"
  digest="$(printf '%s\n' "$body" | sha256sum | cut -c1-16)"
  printf '%s\n' "$body" >"$dir/boot-$digest.js"
  content="$before<script type=\"module\" src=\"./boot-$digest.js\"></script>$after"
done
printf '%s\n' "$content" >"$html"
# Every script must now come from a file.
if grep -Eoi '<script[^>]*>' "$html" | grep -viq 'src='; then
  echo "pwa-postbuild: $html still has an inline <script>; the CSP would block it:" >&2
  grep -Eoi '<script[^>]*>' "$html" | grep -vi 'src=' >&2
  exit 1
fi
# The page's CSP (the <meta> of index.html) must allow neither inline
# scripts nor eval.
[[ "$content" == *'http-equiv="Content-Security-Policy"'* ]] ||
  { echo "pwa-postbuild: index.html has no Content-Security-Policy <meta>" >&2; exit 1; }
csp="${content#*'http-equiv="Content-Security-Policy"'}"
csp="${csp#*content=\"}"
csp="${csp%%\"*}"
IFS=';' read -ra directives <<<"${csp//$'\n'/ }"
for d in "${directives[@]}"; do
  d="${d#"${d%%[![:space:]]*}"}"
  case "$d" in
    default-src* | script-src*)
      if [[ "$d" == *"'unsafe-inline'"* || "$d" == *"'unsafe-eval'"* ]]; then
        echo "pwa-postbuild: the CSP's \"$d\" allows inline scripts or eval" >&2
        exit 1
      fi
      ;;
  esac
done

# ---- 2. the service worker ----
template="$root/scripts/sw.template.js"
entries=""
ids=""
while IFS= read -r file; do
  if [[ ! "$file" =~ ^[A-Za-z0-9._~/-]+$ ]]; then
    echo "pwa-postbuild: cannot list \"$file\" (unexpected characters in the name)" >&2
    exit 1
  fi
  hex="$(sha256sum "$dir/$file" | cut -c1-64)"
  b64="$(printf "$(sed 's/../\\x&/g' <<<"$hex")" | base64 -w0)"
  entries+="  { url: \"$file\", integrity: \"sha256-$b64\" },"$'\n'
  ids+="$hex  $file"$'\n'
done < <(cd "$dir" && find . -type f ! -path ./sw.js -printf '%P\n' | LC_ALL=C sort)
build_id="$(printf '%s' "$ids" | sha256sum | cut -c1-16)"

{
  while IFS= read -r line; do
    case "$line" in
      *__PRECACHE__*) printf '%s\n' "${line%%__PRECACHE__*}[" "$entries]${line#*__PRECACHE__}" ;;
      *__BUILD_ID__*) printf '%s\n' "${line%%__BUILD_ID__*}$build_id${line#*__BUILD_ID__}" ;;
      *) printf '%s\n' "$line" ;;
    esac
  done <"$template"
} >"$dir/sw.js"
echo "pwa-postbuild: sw.js caches $(printf '%s' "$ids" | grep -c .) files as plainsight-$build_id"
