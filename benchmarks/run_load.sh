#!/usr/bin/env bash
# Load test: start fare-service on 127.0.0.1, offer a fixed rate of the admin UI's mix with
# locust for a fixed time, then check the thresholds (exit 1 when one fails).
#
#   benchmarks/run_load.sh                      # 400 req/s, 2 workers, 60 s
#   RATE=200 WORKERS=1 RUN_TIME=30s benchmarks/run_load.sh
#   SOAK=1 benchmarks/run_load.sh               # 10 minutes at the same rate, RSS start/end
#   LOAD_TRACE=/tmp/trace.csv benchmarks/run_load.sh   # also each request's start and time
#
# Writes benchmarks/results/load-*.csv, load-summary.json and load-latency.png.
# Every loop is bounded in time; only 127.0.0.1 is ever targeted.
set -euo pipefail
cd "$(dirname "$0")/.."

RATE=${RATE:-400}
WORKERS=${WORKERS:-2}
RUN_TIME=${RUN_TIME:-60s}
PORT=${PORT:-8765}
USER_RPS=${USER_RPS:-10}
P99_MS=${P99_MS:-25}
P999_MS=${P999_MS:-50}
if [ "${SOAK:-0}" = 1 ]; then RUN_TIME=10m; fi
USERS=$(( (RATE + USER_RPS - 1) / USER_RPS ))
OUT=benchmarks/results
KEY=$(python3 -c "import secrets; print(secrets.token_urlsafe(24))")
mkdir -p "$OUT"
# The project's interpreter (make test / make run create .venv), unless PYTHON says otherwise.
if [ -x .venv/bin/python ]; then PY=${PYTHON:-.venv/bin/python}; else PY=${PYTHON:-python3}; fi

FARE_SERVICE_API_KEYS="$KEY" $PY -m fare_service.cli serve --host 127.0.0.1 --port "$PORT" \
    --workers "$WORKERS" 2> "$OUT/load-server.log" &
SERVER=$!
trap 'kill $SERVER 2>/dev/null || true; wait $SERVER 2>/dev/null || true' EXIT

for _ in $(seq 1 60); do   # at most 30 s for the server to come up
    if curl -fs "http://127.0.0.1:$PORT/healthz" >/dev/null; then break; fi
    sleep 0.5
done
curl -fs "http://127.0.0.1:$PORT/healthz" >/dev/null || {
    echo "server did not start ($PY); the end of $OUT/load-server.log:" >&2
    tail -n 3 "$OUT/load-server.log" >&2
    exit 2
}

# Warm every worker's caches before measuring.
for _ in $(seq 1 20); do
    curl -fs -o /dev/null -H "Authorization: Bearer $KEY" -H 'content-type: application/json' \
        -d '{"origin":{"lat":37.5663,"lon":126.9779},"destination":{"lat":37.4979,"lon":127.0276}}' \
        "http://127.0.0.1:$PORT/v1/quotes" || true
done

locust_run() {  # $1: run time, $2: CSV prefix
    FARE_SERVICE_LOAD_API_KEY="$KEY" LOAD_USER_RPS="$USER_RPS" PYTHONPATH=benchmarks \
        timeout 900 $PY -m locust -f benchmarks/locustfile.py --headless \
        -H "http://127.0.0.1:$PORT" -u "$USERS" -r "$USERS" --run-time "$1" \
        --stop-timeout 5 --csv "$2" --csv-full-history --only-summary \
        --exit-code-on-error 0 2>> "$OUT/load-locust.log"
}

RSS_FLAGS=()
if [ "${SOAK:-0}" = 1 ]; then
    # Memory is compared after a warm-up, so lazy imports and caches filling up on the
    # first requests are not mistaken for a leak.
    echo "soak: 60 s warm-up at the same rate"
    locust_run 60s "$OUT/soak-warmup"
    RSS_FLAGS=(--rss-start "$($PY benchmarks/check_load.py rss --pid "$SERVER")")
fi
echo "load: $RATE req/s ($USERS users x $USER_RPS/s), $WORKERS worker(s), $RUN_TIME"
metrics() {  # the server's own latency histograms, to tell its time from the client's
    curl -fs -H "Authorization: Bearer $KEY" "http://127.0.0.1:$PORT/metrics" > "$1"
}
metrics "$OUT/load-metrics-start.txt"
CPU_START=$($PY benchmarks/check_load.py cpu --pid "$SERVER")
TCP_START=$($PY benchmarks/check_load.py tcp)
STARTED=$(date +%s.%N)
locust_run "$RUN_TIME" "$OUT/load"
TCP_END=$($PY benchmarks/check_load.py tcp)
CPU_END=$($PY benchmarks/check_load.py cpu --pid "$SERVER")
metrics "$OUT/load-metrics-end.txt"
ELAPSED=$(python3 -c "import time; print(time.time() - $STARTED)")
if [ "${SOAK:-0}" = 1 ]; then
    RSS_FLAGS+=(--rss-end "$($PY benchmarks/check_load.py rss --pid "$SERVER")")
fi

$PY benchmarks/check_load.py check --csv "$OUT/load" --p99-ms "$P99_MS" --p999-ms "$P999_MS" \
    "${RSS_FLAGS[@]}" --rate "$RATE" --workers "$WORKERS" \
    --cpu-start "$CPU_START" --cpu-end "$CPU_END" --elapsed-s "$ELAPSED" \
    --tcp-start "$TCP_START" --tcp-end "$TCP_END" \
    --metrics-start "$OUT/load-metrics-start.txt" --metrics-end "$OUT/load-metrics-end.txt" \
    --run-time "$RUN_TIME" --summary "$OUT/load-summary.json" --chart "$OUT/load-latency.png"
