#!/usr/bin/env bash
# The container image test (ctest ImageTest, label `image`; not in the default run):
# builds the image with scripts/build-image.sh --prebuilt from a recplat build (the fast path:
# the base image is made once with debootstrap and kept, then about 2 minutes), checks the
# image (user, volume, HEALTHCHECK, only runtime libraries, every library of recplat and its
# LibTorch module found), runs it as the Helm chart does (read-only root, all capabilities
# dropped, non-root, data directory on a volume, host network on 127.0.0.1) and checks
# /healthz and the HEALTHCHECK, /readyz, writes, a recommendation, a gru4rec training (the
# LibTorch module loads), /metrics, a clean exit on SIGTERM and that the data survives a
# restart on the same volume. Removes its containers and image (the base image is kept).
#
#   tests/deploy/image_test.sh <build-dir>          # build-dir holds apps/recplat/recplat
#   IMAGE=localhost/recplat:0.1.0 tests/deploy/image_test.sh   # test an existing image
#                                                   # (e.g. the multi-stage one) instead
# Needs root, podman, runc and debootstrap (scripts/install-deps.sh --with-image); without
# them it reports "skipped" (exit 77).
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
build_dir="${1:-$root/build}"

for tool in podman runc debootstrap curl python3; do
  if ! command -v "$tool" >/dev/null 2>&1; then
    echo "image_test: $tool not found: run scripts/install-deps.sh --with-image (skipped)"
    exit 77
  fi
done
if [ "$(id -u)" -ne 0 ]; then echo "image_test: needs root (skipped)"; exit 77; fi

export CONTAINERS_CONF="${CONTAINERS_CONF:-$root/deploy/podman/containers.conf}"
podman_run_flags=(--ulimit nofile=20000:20000 --ulimit nproc=4096:4096 --network host)
pm() { podman --runtime runc "$@"; }

version="$(sed -n 's/^project(recplat VERSION \([0-9.]*\).*/\1/p' "$root/CMakeLists.txt")"
chart_version="$(sed -n 's/^appVersion: *"\{0,1\}\([^"]*\)"\{0,1\}$/\1/p' \
  "$root/deploy/helm/recplat/Chart.yaml")"
fail() { echo "image_test: FAIL: $*" >&2; exit 1; }
[ "$version" = "$chart_version" ] ||
  fail "the chart's appVersion ($chart_version) is not the CMake project version ($version)," \
       "the tag scripts/build-image.sh gives the image"

work="$(mktemp -d /var/tmp/recplat-image-test.XXXXXX)"
name="recplat-image-test-$$"
built_image=""
cleanup() {
  pm rm -f -t 0 "$name" "$name-2" >/dev/null 2>&1 || true
  if [ -n "$built_image" ]; then
    # --no-prune: the layers it shares (the runtime stage) stay as the build cache, also for a
    # build running at the same time.
    pm rmi -f --no-prune "$built_image" "${built_image%:*}:latest" >/dev/null 2>&1 || true
  fi
  rm -rf "$work"
}
trap cleanup EXIT

if [ -n "${IMAGE:-}" ]; then
  image="$IMAGE"
else
  image="localhost/recplat-image-test:$version-$$"
  built_image="$image"
  t0=$SECONDS
  IMAGE_REPO=localhost/recplat-image-test IMAGE_TAG="$version-$$" \
    "$root/scripts/build-image.sh" --prebuilt "$build_dir" >"$work/build.log" 2>&1 ||
    { tail -n 40 "$work/build.log"; fail "scripts/build-image.sh --prebuilt failed"; }
  tail -n 1 "$work/build.log"
  echo "image_test: image built in $((SECONDS - t0)) s"
fi

# ---- The image itself ------------------------------------------------------------------------
cfg="$(pm image inspect --format \
  '{{.Config.User}}|{{json .Config.Volumes}}|{{json .Config.Entrypoint}}|{{json .Config.Healthcheck}}' \
  "$image")"
IFS='|' read -r user volumes entrypoint healthcheck <<<"$cfg"
[ "$user" = "10001:10001" ] || fail "image user is '$user', not 10001:10001 (the chart's)"
[[ "$volumes" == *'"/var/lib/recplat"'* ]] || fail "no volume /var/lib/recplat: $volumes"
[ "$entrypoint" = '["recplat"]' ] || fail "entrypoint $entrypoint"
[[ "$healthcheck" == *healthz* || "$healthcheck" == *HEALTHCHECK_URL* ]] ||
  fail "no HEALTHCHECK (built without --format docker?): $healthcheck"
size="$(pm image inspect --format '{{.Size}}' "$image")"
echo "image_test: $image, $((size / 1000000)) MB"

pm run --rm "${podman_run_flags[@]}" --entrypoint /bin/sh "$image" -c '
  set -e
  recplat --version
  ldd /opt/recplat/bin/recplat /opt/recplat/bin/librecplat_gru4rec_torch.so > /tmp/ldd.txt
  if grep "not found" /tmp/ldd.txt; then echo "missing libraries"; exit 1; fi
  for tool in c++ g++ gcc cmake ninja protoc; do
    if command -v "$tool" >/dev/null; then echo "build tool $tool in the runtime image"; exit 1; fi
  done
  dev="$(dpkg-query -W -f "\${Package}\n" | grep -- "-dev\$" || true)"
  if [ -n "$dev" ]; then echo "development packages in the runtime image:" $dev; exit 1; fi
  test "$(id -u):$(id -g)" = 10001:10001
  test -w /var/lib/recplat
' >"$work/inside.txt" 2>&1 || { cat "$work/inside.txt"; fail "checks inside the image"; }
grep -q "^recplat $version" "$work/inside.txt" ||
  fail "recplat --version in the image: $(head -n 1 "$work/inside.txt")"

# ---- Run it as the chart does ----------------------------------------------------------------
read -r grpc_port http_port metrics_port < <(python3 -c '
import socket
socks = [socket.socket() for _ in range(3)]
for s in socks: s.bind(("127.0.0.1", 0))
print(*[s.getsockname()[1] for s in socks])')
mkdir -p "$work/data"
chown 10001:10001 "$work/data"
base="http://127.0.0.1:$http_port"

start() {  # $1: container name
  pm run -d --name "$1" "${podman_run_flags[@]}" \
    --read-only --cap-drop ALL --security-opt no-new-privileges --health-interval disable \
    -v "$work/data:/var/lib/recplat" -e "HEALTHCHECK_URL=$base/healthz" \
    "$image" serve --profile /usr/share/recplat/config/default.yaml --data-dir /var/lib/recplat \
    --set "grpc.listen=127.0.0.1:$grpc_port" --set "http.listen=127.0.0.1:$http_port" \
    --set "metrics.listen=127.0.0.1:$metrics_port" \
    --set 'models.gru={family: gru4rec, params: {threads: 1, layers: "8", epochs: 1, batch_size: 2, n_sample: 0}}' \
    >/dev/null 2>"$work/run.err" || { cat "$work/run.err"; fail "podman run"; }
  for _ in $(seq 1 120); do
    if curl -fsS -o /dev/null "$base/readyz" 2>/dev/null; then return 0; fi
    if [ "$(pm inspect --format '{{.State.Running}}' "$1")" != true ]; then
      pm logs "$1" 2>&1 | tail -n 30
      fail "the container exited"
    fi
    sleep 0.5
  done
  pm logs "$1" 2>&1 | tail -n 30
  fail "/readyz not 200 within 60 s"
}
post() {  # $1: path, $2: body; prints the response, fails on a non-2xx
  curl -fsS -X POST "$base$1" -H 'Content-Type: application/json' -d "$2" ||
    fail "POST $1 $2"
}
stop_cleanly() {  # $1: container name
  local t0=$SECONDS
  pm stop -t 30 "$1" >/dev/null 2>&1
  local took=$((SECONDS - t0))
  local code
  code="$(pm inspect --format '{{.State.ExitCode}}' "$1")"
  pm logs "$1" >"$work/$1.log" 2>&1
  [ "$code" = 0 ] || { tail -n 30 "$work/$1.log"; fail "exit code $code after SIGTERM"; }
  grep -q "shutting down signal=SIGTERM" "$work/$1.log" || fail "no 'shutting down signal=SIGTERM'"
  grep -q "stopped cleanly" "$work/$1.log" || fail "no 'stopped cleanly' after SIGTERM"
  [ "$took" -lt 15 ] || fail "SIGTERM took $took s (podman would have sent SIGKILL at 30)"
  echo "image_test: $1 stopped on SIGTERM in ${took} s, exit 0"
}

t0=$SECONDS
start "$name"
echo "image_test: ready in $((SECONDS - t0)) s"
[ "$(curl -fsS "$base/healthz")" = '{"status":"ok"}' ] || fail "/healthz"
pm healthcheck run "$name" >/dev/null 2>&1 || fail "podman healthcheck run: not healthy"

post /v1/items '{"items": [{"id": "a", "available": true}, {"id": "b", "available": true},
                           {"id": "c", "available": true}]}' >/dev/null
post /v1/events '{"events": [
  {"user_id": "u1", "item_id": "a", "type": "view"}, {"user_id": "u1", "item_id": "b", "type": "view"},
  {"user_id": "u2", "item_id": "a", "type": "view"}, {"user_id": "u2", "item_id": "b", "type": "view"},
  {"user_id": "u2", "item_id": "c", "type": "view"}, {"user_id": "u3", "item_id": "c", "type": "order"}],
  "wait_applied": true}' >/dev/null
post /v1/models/train '{"model": "popularity", "wait": true}' >/dev/null
rec="$(post /v1/recommend '{"user_id": "u1", "k": 2}')"
[[ "$rec" == *'"item_id"'* ]] || fail "recommend returned no items: $rec"
echo "image_test: recommend: $rec"
# gru4rec trains with librecplat_gru4rec_torch.so (dlopened next to the executable).
post /v1/models/train '{"model": "gru", "wait": true}' >/dev/null
models="$(curl -fsS "$base/v1/models?model=gru")"
[[ "$models" == *MODEL_STATUS_CURRENT* ]] || {
  pm logs "$name" 2>&1 | grep -i -E "gru|torch" | tail -n 5
  fail "gru4rec has no current version: $models"
}
metrics="$(curl -fsS "http://127.0.0.1:$metrics_port/metrics")" || fail "/metrics"
grep -q '^recplat_build_info' <<<"$metrics" || fail "/metrics has no recplat_build_info"
stop_cleanly "$name"

# The data directory is on the volume: a new container finds the catalog.
start "$name-2"
curl -fsS -o /dev/null "$base/v1/items/a" || fail "item a lost across a restart on the volume"
stop_cleanly "$name-2"
echo "image_test: all checks passed"
