#!/usr/bin/env bash
# Installs s3rver (npm, pinned by package-lock.json beside this script) into DIR/node_modules,
# again only when the lockfile changed; safe to run from several tests at once (flock).
#   tests/testing/s3rver/install.sh DIR     (needs node and npm: scripts/install-deps.sh)
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
dir="$1"
for tool in node npm flock; do
  command -v "$tool" >/dev/null || { echo "s3rver install: $tool not found: run scripts/install-deps.sh" >&2; exit 1; }
done
mkdir -p "$dir"
exec 9>"$dir/.install.lock"
flock 9
if [ -f "$dir/node_modules/s3rver/bin/s3rver.js" ] && cmp -s "$here/package-lock.json" "$dir/package-lock.json"; then
  exit 0
fi
cp "$here/package.json" "$here/package-lock.json" "$dir/"
(cd "$dir" && npm ci --no-audit --no-fund --loglevel=error >/dev/null) || {
  echo "s3rver install: npm ci failed in $dir (is the npm registry reachable?)" >&2; exit 1; }
