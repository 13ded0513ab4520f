# The eosc and article_rec parts of bench/soak.sh (sourced by it, not run): each `prepare_*`
# loads the running server ($http, $work, $build, $bin set by soak.sh) and writes the wrk
# scripts $work/load-warm.lua (the warm-up: always writes) and $work/load-rounds.lua (WRITES).

# Writes load-warm.lua and load-rounds.lua from $work/load.lua (which reads the global WRITES).
write_round_scripts() {
  { echo "WRITES = true"; cat "$work/load.lua"; } >"$work/load-warm.lua"
  { if [ "$WRITES" = 0 ]; then echo "WRITES = false"; else echo "WRITES = true"; fi
    cat "$work/load.lua"; } >"$work/load-rounds.lua"
}

EOSC_SERVICES="${EOSC_SERVICES:-2000}"
EOSC_USERS="${EOSC_USERS:-5000}"

# POST /update with a synthetic dump; waits until NCF is trained on it.
prepare_eosc() {
  python3 bench/eosc_dump.py "$EOSC_SERVICES" "$EOSC_USERS" "$work/dump.json"
  curl -sf -o /dev/null -XPOST -H 'content-type: application/json' \
    --data-binary @"$work/dump.json" "http://$http/update" ||
    { echo "POST /update failed" >&2; cat "$work/server.log" >&2; exit 1; }
  local ready=0
  for _ in $(seq 1 600); do
    if curl -s "http://$http/health" | python3 -c '
import json, sys
h = json.load(sys.stdin)
sys.exit(h["recommender_engines"]["NCF"]["status"] != "UP")' 2>/dev/null; then
      ready=1
      break
    fi
    kill -0 "$server" 2>/dev/null || { cat "$work/server.log" >&2; exit 1; }
    sleep 1
  done
  [ "$ready" -eq 1 ] || { echo "NCF not trained after 600 s" >&2; exit 1; }
  # Words of the catalogue's names for the `q` searches.
  cat >"$work/load.lua" <<LUA
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
math.randomseed(os.time())
local n = 0
local words = {"data", "analysis", "cloud", "storage", "computing", "research", "open", "services"}
local panels = {"v1", "v2"}
request = function()
  n = n + 1
  local user = math.random(1, $EOSC_USERS)
  local service = math.random(1, $EOSC_SERVICES)
  if WRITES and n % 5 == 0 then
    local order = "false"
    if n % 50 == 0 then order = "true" end
    return wrk.format(nil, "/user_actions", nil, string.format(
      '{"user_id": %d, "unique_id": "a%d", "timestamp": "2024-01-01T00:00:00Z", ' ..
      '"client_id": "marketplace", "source": {"visit_id": "s%d", "page_id": "/services", ' ..
      '"root": {"type": "recommendation_panel", "panel_id": "v1", "resource_type": "service", ' ..
      '"resource_id": %d}}, "target": {"visit_id": "t%d", "page_id": "/services/%d"}, ' ..
      '"action": {"type": "button", "text": "Details", "order": %s}}',
      user, n, n, service, n, service, order))
  end
  local search = "{}"
  if n % 3 == 0 then search = string.format('{"q": "%s"}', words[math.random(1, #words)]) end
  return wrk.format(nil, "/recommendations", nil, string.format(
    '{"user_id": %d, "unique_id": "r%d", "timestamp": "2024-01-01T00:00:00Z", ' ..
    '"visit_id": "v%d", "page_id": "/services", "panel_id": "%s", "search_data": %s, ' ..
    '"client_id": "marketplace"}', user, n, n, panels[1 + n % 2], search))
end
LUA
  write_round_scripts
}

ARTICLE_REC_EVENTS="${ARTICLE_REC_EVENTS:-200000}"
ARTICLE_REC_ARTICLES="${ARTICLE_REC_ARTICLES:-2000}"

# Runs one `recplat batch` against the running server (it finds it through the data
# directory's serving-ports.json) over the events in s3rver.
article_rec_batch() {
  "$bin" batch --profile config/article_rec.yaml --data-dir "$work/data" \
    --set metrics.enabled=false --set logging.level=warn \
    --set "s3.endpoint=http://127.0.0.1:$s3port" --set s3.bucket=snowplow \
    --set "batch.articles_file=$work/gen/articles.jsonl"
}

# Generates Snowplow events, serves them from s3rver and runs the first batch.
prepare_article_rec() {
  local s3rver="$build/npm/s3rver/node_modules/s3rver/bin/s3rver.js"
  [ -f "$s3rver" ] || { echo "needs s3rver: build the tests first (scripts/test.sh)" >&2; exit 1; }
  python3 bench/article_rec/gen_snowplow.py --out "$work/gen" --events "$ARTICLE_REC_EVENTS" \
    --articles "$ARTICLE_REC_ARTICLES" --clients 20000 --days 7 --groups 30 \
    --objects-per-day 8 >/dev/null
  mkdir -p "$work/s3"
  node --openssl-legacy-provider "$s3rver" --directory "$work/s3" --address 127.0.0.1 \
    --port 0 >"$work/s3rver.log" 2>&1 &
  pids+=($!)
  for _ in $(seq 100); do grep -q "listening" "$work/s3rver.log" && break; sleep 0.1; done
  s3port="$(sed -n 's/.*listening on 127.0.0.1:\([0-9]*\).*/\1/p' "$work/s3rver.log")"
  [ -n "$s3port" ] || { cat "$work/s3rver.log" >&2; exit 1; }
  bench/article_rec/upload.sh "http://127.0.0.1:$s3port" snowplow "$work/gen"
  article_rec_batch >"$work/batches.log" 2>&1 ||
    { echo "first batch failed" >&2; tail -20 "$work/batches.log" >&2; exit 1; }
  local first last
  first="$(head -1 "$work/gen/articles.jsonl" | python3 -c 'import json,sys; print(json.load(sys.stdin)["external_id"])')"
  last=$((first + ARTICLE_REC_ARTICLES - 1))
  cat >"$work/load.lua" <<LUA
math.randomseed(os.time())
local n = 0
request = function()
  n = n + 1
  if n % 50 == 0 then return wrk.format("GET", "/models?type=article&status=current") end
  local id = math.random($first, $last + 100)
  if n % 3 == 0 then
    return wrk.format("GET", string.format("/recs?source_entity_id=%d&exclude=%d,%d&size=10",
      id, id + 1, id + 2))
  end
  return wrk.format("GET", string.format("/recs?source_entity_id=%d", id))
end
LUA
  write_round_scripts
}
