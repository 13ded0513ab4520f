#!/usr/bin/env bash
# The Helm chart's test (deploy/helm/recplat), without Helm: renders the chart with
# tests/deploy/helm_render (Go text/template + sprig, Helm's semantics for the subset the chart
# uses) and checks what it renders with tests/deploy/check_manifests.mjs (npm kubernetes-models).
#
#   tests/deploy/helm_chart_test.sh [CACHE_DIR]
#
# CACHE_DIR (default $RECPLAT_DEPLOY_TEST_CACHE, else $TMPDIR/recplat-deploy-test-cache) keeps
# the npm packages (installed with `npm ci` from tests/deploy/package-lock.json, again only when
# the lockfile changes) and Go's build cache. Needs: golang-go,
# golang-github-masterminds-sprig-dev, golang-gopkg-yaml.v2-dev, node and npm
# (scripts/install-deps.sh), and the npm registry on the first run.
#
# Cases:
#   - the chart's built-in profiles are copies of config/<profile>.yaml;
#   - the default values and every tests/deploy/values/*.yaml render; the merged values pass
#     values.schema.json; every object passes its Kubernetes model, has no unknown field, and
#     passes the chart's own checks (references, security, recplat flags and keys); the
#     "# expect:" / "# expect-not:" objects of the file are / are not rendered;
#   - the unknown-field check finds a field injected anywhere in the default and scale-out
#     renders (self-test), and in tests/deploy/fixtures/unknown_field.json;
#   - every tests/deploy/values/invalid/*.yaml fails to render with its "# expect-error:"
#     message, and fails (or passes) the schema as its "# schema:" line says;
#   - every tests/deploy/values/caught/*.yaml renders, and the checks fail with its
#     "# expect-check:" message.
set -euo pipefail

src="$(cd "$(dirname "$0")/../.." && pwd)"
chart="$src/deploy/helm/recplat"
here="$src/tests/deploy"
cache="${1:-${RECPLAT_DEPLOY_TEST_CACHE:-${TMPDIR:-/tmp}/recplat-deploy-test-cache}}"
work="$(mktemp -d "${TMPDIR:-/tmp}/helm-chart-test.XXXXXX")"
trap 'rm -rf "$work"' EXIT
start=$SECONDS
failures=0
fail() { echo "FAIL: $*" >&2; failures=$((failures + 1)); }
die() { echo "helm_chart_test: $*" >&2; exit 1; }

for tool in go node npm; do
  command -v "$tool" >/dev/null || die "$tool not found: run scripts/install-deps.sh"
done
for pkg in github.com/Masterminds/sprig gopkg.in/yaml.v2; do
  [ -d "/usr/share/gocode/src/$pkg" ] || die "/usr/share/gocode/src/$pkg missing: run scripts/install-deps.sh"
done
mkdir -p "$cache"

# The renderer (GOPATH mode, Debian's Go packages only).
(cd "$src" && GO111MODULE=off GOPATH=/usr/share/gocode GOCACHE="$cache/go-build" GOFLAGS= \
  go build -o "$work/helm_render" ./tests/deploy/helm_render) || die "building helm_render failed"
render="$work/helm_render"

# The npm packages, pinned by the lockfile.
stamp="$(cat "$here/package.json" "$here/package-lock.json" | sha256sum | cut -d' ' -f1)"
if [ "$(cat "$cache/npm/.stamp" 2>/dev/null)" != "$stamp" ]; then
  rm -rf "$cache/npm"
  mkdir -p "$cache/npm"
  cp "$here/package.json" "$here/package-lock.json" "$cache/npm/"
  (cd "$cache/npm" && npm_config_cache="$cache/npm-cache" npm ci --no-audit --no-fund \
    --loglevel=error) || die "npm ci failed (is the npm registry reachable?)"
  echo "$stamp" >"$cache/npm/.stamp"
fi
modules="$cache/npm/node_modules"
check() { node "$here/check_manifests.mjs" "$@" --modules "$modules"; }
header() { sed -n "s/^# $1: //p" "$2"; }

# Built-in profiles: copies of config/, and every profile of config/ is built in.
for copy in "$chart"/files/profiles/*.yaml; do
  cmp -s "$copy" "$src/config/$(basename "$copy")" ||
    fail "$copy differs from config/$(basename "$copy"): copy it again"
done
for profile in "$src"/config/*.yaml; do
  [ -f "$chart/files/profiles/$(basename "$profile")" ] ||
    fail "config/$(basename "$profile") is not in the chart: copy it to files/profiles/ and mark it builtin in templates/_helpers.tpl"
done

render_case() {  # name values-file-or-empty -> $work/<name>.{yaml,json,values.json}
  local name="$1" file="$2" extra=()
  [ -n "$file" ] && extra=(-f "$file")
  "$render" -chart "$chart" "${extra[@]}" -release demo -namespace recsys \
    -o "$work/$name.yaml" -json "$work/$name.json" -values-out "$work/$name.values.json" \
    -notes "$work/$name.notes.txt" 2>"$work/$name.err"
}

manifest_check() {  # name [extra args]
  local name="$1"; shift
  check manifests --objects "$work/$name.json" --values "$work/$name.values.json" \
    --config-doc "$src/docs/configuration.md" --main-cc "$src/apps/recplat/main.cc" \
    --pending-subcommand batch "$@"
}

cases=0
for file in "" "$here"/values/*.yaml; do
  name="$(basename "${file:-defaults.yaml}" .yaml)"
  cases=$((cases + 1))
  if ! render_case "$name" "$file"; then
    fail "$name: rendering failed: $(cat "$work/$name.err")"
    continue
  fi
  check values --schema "$chart/values.schema.json" --values "$work/$name.values.json" ||
    fail "$name: the values do not pass values.schema.json"
  expect=()
  [ -n "$file" ] && expect=(--expect "$file")
  manifest_check "$name" "${expect[@]}" 2>"$work/$name.check" ||
    fail "$name: $(cat "$work/$name.check")"
  echo "ok: $name ($(grep -c '^kind:' "$work/$name.yaml") objects)"
done

for name in defaults scaleout-default; do
  [ -f "$work/$name.json" ] || continue
  check self-test --objects "$work/$name.json" || fail "$name: unknown-field self-test"
done
if check manifests --objects "$here/fixtures/unknown_field.json" 2>"$work/fixture.err" ||
  ! grep -q 'containers\[0\].livenessProbe.httpGett: unknown field' "$work/fixture.err"; then
  fail "fixtures/unknown_field.json: the misspelt httpGett was not reported: $(cat "$work/fixture.err")"
fi

for file in "$here"/values/invalid/*.yaml; do
  name="invalid-$(basename "$file" .yaml)"
  cases=$((cases + 1))
  want="$(header expect-error "$file")"
  [ -n "$want" ] || { fail "$file: no '# expect-error:' line"; continue; }
  if render_case "$name" "$file"; then
    fail "$name: rendered, expected the error '$want'"
  elif ! grep -qF -- "$want" "$work/$name.err"; then
    fail "$name: expected the error '$want', got: $(cat "$work/$name.err")"
  fi
  # The merged values, for the schema (the renderer writes them before rendering).
  if check values --schema "$chart/values.schema.json" --values "$work/$name.values.json" \
    2>"$work/$name.schema"; then schema=valid; else schema=invalid; fi
  [ "$schema" = "$(header schema "$file")" ] ||
    fail "$name: the schema finds the values $schema, expected $(header schema "$file"): $(cat "$work/$name.schema")"
  echo "ok: $name (fails: $want)"
done

for file in "$here"/values/caught/*.yaml; do
  name="caught-$(basename "$file" .yaml)"
  cases=$((cases + 1))
  want="$(header expect-check "$file")"
  [ -n "$want" ] || { fail "$file: no '# expect-check:' line"; continue; }
  if ! render_case "$name" "$file"; then
    fail "$name: rendering failed: $(cat "$work/$name.err")"
    continue
  fi
  if manifest_check "$name" 2>"$work/$name.check"; then
    fail "$name: the checks passed, expected '$want'"
  elif ! grep -qF -- "$want" "$work/$name.check"; then
    fail "$name: expected '$want', got: $(cat "$work/$name.check")"
  fi
  echo "ok: $name (caught: $want)"
done

echo "helm_chart_test: $cases cases, $failures failures, $((SECONDS - start)) s"
[ "$failures" -eq 0 ]
