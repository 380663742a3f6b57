#!/usr/bin/env bash
# The live cost of anomaly detection: the ingest benchmark (20 rules, producer process over
# loopback) run side by side on fresh databases that hold the same 50,000 warm-up events,
#   1. rules only,
#   2. rules + two Isolation Forest models (TRANSACTION: amount, country, merchant hash,
#      payments per card in 10 minutes; SYSTEM: cpu, disk, latency) trained on the warm-up,
#   3. the same models scored on the writer thread only (VIGIL_SCORING_THREAD=0).
# Prints JSON lines from the producer; see docs/benchmarks.md, "Ingest with anomaly models".
#
#   bench/ingest/run_models.sh [EVENTS]     default 500,000 events in messages of 100
set -euo pipefail
cd "$(dirname "$0")/../.."
build=${BUILD_DIR:-build}
events=${1:-500000}
vigil=$build/app/vigil
producer=$build/bench/vigil-bench-producer
[[ -x $vigil && -x $producer ]] || { echo "build first: scripts/setup.sh" >&2; exit 1; }

tmp=$(mktemp -d "${TMPDIR:-/tmp}/vigil-bench-models.XXXXXX")
pid=
trap '[[ -n $pid ]] && kill $pid 2>/dev/null; rm -rf "$tmp"' EXIT
export HOME=$tmp XDG_DATA_HOME=$tmp/data XDG_CONFIG_HOME=$tmp/config VIGIL_TOKEN=bench-token
port=$(/usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')

start_vigil() { # database, log, [VAR=value...]
  local db=$1 log=$2; shift 2
  env "$@" "$vigil" --headless --database "$db" --listen "127.0.0.1:$port" 2>"$log" &
  pid=$!
  for _ in $(seq 100); do grep -q Listening "$log" && return; sleep 0.1; done
  echo "vigil did not start: $(cat "$log")" >&2; exit 1
}
stop_vigil() { kill -TERM $pid; wait $pid || true; pid=; }

echo "# machine: $(nproc) cores, $(free -g | awk '/Mem:/{print $2}') GiB, $(uname -r); $(date -u +%FT%TZ)"
# The warm-up history, once; every variant starts from a copy.
"$vigil" rules import bench/ingest/rules_20.json --database "$tmp/base.db" 2>/dev/null
start_vigil "$tmp/base.db" "$tmp/base.log"
"$producer" --url "ws://127.0.0.1:$port/events" --events 50000 --batch 100 --window 64 --prefix warm- >/dev/null
stop_vigil
cp "$tmp/base.db" "$tmp/models.db"
"$vigil" models train --name bench-transactions --algorithm isolation_forest --type TRANSACTION \
  --features bench/ingest/models_transaction.json --database "$tmp/models.db" 2>&1 | tail -2
"$vigil" models train --name bench-hosts --algorithm isolation_forest --type SYSTEM \
  --features bench/ingest/models_system.json --database "$tmp/models.db" 2>&1 | tail -2
"$vigil" models list --database "$tmp/models.db"

run() { # label, database, [env...]
  local label=$1 db=$2; shift 2
  cp "$db" "$tmp/run.db"; rm -f "$tmp/run.db-wal" "$tmp/run.db-shm"
  start_vigil "$tmp/run.db" "$tmp/run.log" "$@"
  echo "# $label: messages of 100 events, 64 in flight"
  "$producer" --url "ws://127.0.0.1:$port/events" --events "$events" --batch 100 --window 64 --prefix "run-"
  stop_vigil
  /usr/bin/python3 - "$tmp/run.db" <<'PY'
import sqlite3, sys, json
c = sqlite3.connect(sys.argv[1])
print(json.dumps({"detections": c.execute("select count(*) from anomaly_detections").fetchone()[0],
                  "anomalies": c.execute("select count(*) from anomaly_detections where is_anomaly").fetchone()[0],
                  "model_alerts": c.execute("select count(*) from alerts where model_id is not null").fetchone()[0]}))
PY
}
run "rules only" "$tmp/base.db" VIGIL_SCORING_THREAD=1
run "rules + 2 models, scoring thread" "$tmp/models.db" VIGIL_SCORING_THREAD=1
run "rules + 2 models, writer thread only" "$tmp/models.db" VIGIL_SCORING_THREAD=0
