#!/usr/bin/env bash
# Builds the recplat container image (deploy/Dockerfile) with podman, on a machine that has no
# container registry: the Debian bookworm base image is made here with
# `debootstrap --variant=minbase` from the machine's own Debian mirror and `podman import`ed
# (once; kept as $BASE_IMAGE), then `podman build` builds the image on it.
#
#   scripts/build-image.sh                  # multi-stage: recplat is compiled in the builder
#                                           # stage (about 30 min with --jobs 1 on a busy 2-core
#                                           # machine; docs/operations.md)
#   scripts/build-image.sh --prebuilt [DIR] # fast path: the runtime stage gets the binary and
#                                           # the LibTorch module of an existing build (default
#                                           # ./build, from scripts/build.sh); a few minutes
#   scripts/build-image.sh --base-only      # only make the base image
#   Options: --rebuild-base (debootstrap again), --jobs N (builder stage, default nproc),
#            --install (install podman, runc and debootstrap: scripts/install-deps.sh --with-image)
#   Environment: IMAGE_REPO (recplat), IMAGE_TAG (the CMake project version, which is the Helm
#   chart's appVersion, i.e. its default image.tag), BASE_IMAGE (localhost/recplat-base:bookworm),
#   MIRROR / SECURITY_MIRROR (default: the machine's APT sources), CONTAINERS_CONF (default
#   deploy/podman/containers.conf).
# The image is tagged IMAGE_REPO:IMAGE_TAG and IMAGE_REPO:latest (podman stores it as
# localhost/recplat:...). Needs root (debootstrap, rootful podman).
set -euo pipefail
caller_pwd="$(pwd)"
cd "$(dirname "$0")/.."
repo_root="$(pwd)"

mode=full
prebuilt_dir="$repo_root/build"
rebuild_base=0
install=0
jobs="$(nproc)"
while [ $# -gt 0 ]; do
  case "$1" in
    --prebuilt)
      mode=prebuilt
      if [ $# -gt 1 ] && [ "${2#--}" = "$2" ]; then
        case "$2" in /*) prebuilt_dir="$2" ;; *) prebuilt_dir="$caller_pwd/$2" ;; esac
        shift
      fi ;;
    --base-only) mode=base ;;
    --rebuild-base) rebuild_base=1 ;;
    --install) install=1 ;;
    --jobs) jobs="$2"; shift ;;
    -h|--help) sed -n '2,/^set -euo/p' "$repo_root/scripts/build-image.sh" | sed '$d'; exit 0 ;;
    *) echo "build-image.sh: unknown argument '$1'" >&2; exit 2 ;;
  esac
  shift
done

version="$(sed -n 's/^project(recplat VERSION \([0-9.]*\).*/\1/p' CMakeLists.txt)"
image_repo="${IMAGE_REPO:-recplat}"
image_tag="${IMAGE_TAG:-$version}"
base_image="${BASE_IMAGE:-localhost/recplat-base:bookworm}"
export CONTAINERS_CONF="${CONTAINERS_CONF:-$repo_root/deploy/podman/containers.conf}"

if [ "$install" -eq 1 ]; then scripts/install-deps.sh --with-image; fi
for tool in podman runc debootstrap; do
  if ! command -v "$tool" >/dev/null 2>&1; then
    echo "build-image.sh: $tool not found: run scripts/install-deps.sh --with-image" >&2
    exit 3
  fi
done
if [ "$(id -u)" -ne 0 ]; then
  echo "build-image.sh: run as root (debootstrap and rootful podman)" >&2
  exit 3
fi

# Temporary directories (the base's root filesystem, the fast path's build context).
cleanup_dirs=()
cleanup() { if [ ${#cleanup_dirs[@]} -gt 0 ]; then rm -rf "${cleanup_dirs[@]}"; fi; }
trap cleanup EXIT

# The settings this kind of machine needs (also in deploy/podman/containers.conf).
podman_global=(--runtime runc)
podman_limits=(--ulimit nofile=20000:20000 --ulimit nproc=4096:4096 --network host)

# The machine's Debian mirror and security mirror, from its APT sources (deb822 or one-line).
apt_uri() {  # $1: suite
  local suite="$1"
  {
    if compgen -G "/etc/apt/sources.list.d/*.sources" >/dev/null; then
      awk -v suite="$suite" '
        /^[[:space:]]*$/ { if (uri != "" && ok) { print uri; exit } uri = ""; ok = 0; next }
        /^URIs:/ { uri = $2 }
        /^Suites:/ { for (i = 2; i <= NF; i++) if ($i == suite) ok = 1 }
        END { if (uri != "" && ok) print uri }' /etc/apt/sources.list.d/*.sources
    fi
    cat /etc/apt/sources.list /etc/apt/sources.list.d/*.list 2>/dev/null |
      awk -v suite="$suite" '$1 == "deb" { for (i = 2; i < NF; i++) if ($i ~ /^[a-z]+:/ && $(i+1) == suite) print $i }'
  } | head -n 1
}

make_base() {
  if [ "$rebuild_base" -eq 0 ] && podman "${podman_global[@]}" image exists "$base_image"; then
    echo "build-image.sh: base image $base_image exists (--rebuild-base to make it again)"
    return
  fi
  local mirror="${MIRROR:-$(apt_uri bookworm)}"
  local security="${SECURITY_MIRROR:-$(apt_uri bookworm-security)}"
  if [ -z "$mirror" ]; then
    echo "build-image.sh: no bookworm mirror in the APT sources: set MIRROR" >&2
    exit 3
  fi
  local work
  work="$(mktemp -d /var/tmp/recplat-rootfs.XXXXXX)"
  cleanup_dirs+=("$work")
  echo "build-image.sh: debootstrap --variant=minbase bookworm from $mirror"
  local t0=$SECONDS
  debootstrap --variant=minbase --keyring=/usr/share/keyrings/debian-archive-keyring.gpg \
    bookworm "$work/rootfs" "$mirror" >"$work/debootstrap.log" 2>&1 || {
    tail -n 30 "$work/debootstrap.log" >&2
    exit 1
  }
  {
    echo "deb $mirror bookworm main"
    echo "deb $mirror bookworm-updates main"
    if [ -n "$security" ]; then echo "deb $security bookworm-security main"; fi
  } >"$work/rootfs/etc/apt/sources.list"
  # Container-friendly apt: no recommends, no caches, no docs kept in the layers.
  cat >"$work/rootfs/etc/apt/apt.conf.d/90recplat-image" <<'EOF'
APT::Install-Recommends "false";
APT::Install-Suggests "false";
Acquire::Languages "none";
EOF
  rm -rf "$work/rootfs/var/lib/apt/lists/"* "$work/rootfs/var/cache/apt/"*.bin \
    "$work/rootfs/var/cache/apt/archives/"*.deb "$work/rootfs/var/log/"*.log
  tar -C "$work/rootfs" --numeric-owner -c . |
    podman "${podman_global[@]}" import --change 'CMD ["/bin/bash"]' \
      --message "debootstrap --variant=minbase bookworm" - "$base_image" >/dev/null
  echo "build-image.sh: base image $base_image made in $((SECONDS - t0)) s"
}

make_base
if [ "$mode" = base ]; then exit 0; fi

build_args=(--build-arg "BASE_IMAGE=$base_image" --build-arg "RECPLAT_VERSION=$version"
            --format docker -f "$repo_root/deploy/Dockerfile"
            -t "$image_repo:$image_tag" -t "$image_repo:latest")
t0=$SECONDS
if [ "$mode" = prebuilt ]; then
  # A small context: the binary and the module under prebuilt/, the profiles under config/.
  bin="$prebuilt_dir/apps/recplat/recplat"
  module="$prebuilt_dir/trainers/torch_gru4rec/librecplat_gru4rec_torch.so"
  for f in "$bin" "$module"; do
    if [ ! -f "$f" ]; then
      echo "build-image.sh: $f not found: build first (scripts/build.sh recplat)" >&2
      exit 3
    fi
  done
  ctx="$(mktemp -d /var/tmp/recplat-image-ctx.XXXXXX)"
  cleanup_dirs+=("$ctx")
  mkdir -p "$ctx/prebuilt/opt/recplat/bin"
  cp -r config "$ctx/config"
  strip --strip-unneeded -o "$ctx/prebuilt/opt/recplat/bin/recplat" "$bin"
  strip --strip-unneeded -o "$ctx/prebuilt/opt/recplat/bin/librecplat_gru4rec_torch.so" "$module"
  podman "${podman_global[@]}" build "${podman_limits[@]}" "${build_args[@]}" \
    --target runtime-prebuilt "$ctx"
else
  podman "${podman_global[@]}" build "${podman_limits[@]}" "${build_args[@]}" \
    --build-arg "JOBS=$jobs" --target runtime "$repo_root"
fi
size="$(podman "${podman_global[@]}" image inspect --format '{{.Size}}' "$image_repo:$image_tag")"
echo "build-image.sh: built $image_repo:$image_tag ($mode) in $((SECONDS - t0)) s," \
  "$((size / 1000000)) MB"
