# Shared by the bench/*.sh scripts (sourced, not run): a scratch directory `work` removed on
# exit together with the processes whose pids the script appends to `pids`, and port_of.
work="$(mktemp -d)"
pids=()
bench_cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$work"
}
trap bench_cleanup EXIT

# Waits (up to 30 s) for a ports file written by `recplat --ports-file` and prints the value
# of `key` in it.
port_of() {  # port_of <ports file> <key>
  for _ in $(seq 1 300); do [ -s "$1" ] && break; sleep 0.1; done
  python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))[sys.argv[2]])' "$1" "$2"
}
