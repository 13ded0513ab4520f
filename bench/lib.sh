# Shared by the bench/*.sh scripts (sourced, not run): a scratch directory `work` removed on
# exit together with the processes whose pids the script appends to `pids`, and port_of.
work="$(mktemp -d)"
pids=()
# Stops processes: SIGTERM, then SIGKILL for any still running after STOP_GRACE seconds (10),
# so that a server slow to shut down never runs on into the next measurement.
stop_pids() {  # stop_pids <pid...>
  local p waited=0
  for p in "$@"; do kill "$p" 2>/dev/null || true; done
  for p in "$@"; do
    while kill -0 "$p" 2>/dev/null && [ "$waited" -lt "$((${STOP_GRACE:-10} * 10))" ]; do
      sleep 0.1
      waited=$((waited + 1))
    done
    if kill -0 "$p" 2>/dev/null; then
      echo "bench: pid $p still running ${STOP_GRACE:-10} s after SIGTERM, killed" >&2
      kill -9 "$p" 2>/dev/null || true
    fi
    wait "$p" 2>/dev/null || true
  done
}
bench_cleanup() {
  stop_pids "${pids[@]}"
  rm -rf "$work"
}
trap bench_cleanup EXIT

# Waits (up to 30 s) for a ports file written by `recplat --ports-file` and prints the value
# of `key` in it.
port_of() {  # port_of <ports file> <key>
  for _ in $(seq 1 300); do [ -s "$1" ] && break; sleep 0.1; done
  python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))[sys.argv[2]])' "$1" "$2"
}
