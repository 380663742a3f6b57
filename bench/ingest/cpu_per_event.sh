#!/usr/bin/env bash
# CPU time per ingested event, by thread: vigil --headless with the 20 benchmark rules on a
# fresh database, fed EVENTS events in messages of 100 (64 in flight) by the benchmark
# producer; the user+system time of each vigil thread (from /proc) and of the producer over
# the run, divided by EVENTS. Less sensitive to a busy machine than events per second: it
# says what each event costs, wherever the cores went meanwhile.
#
#   bench/ingest/cpu_per_event.sh [EVENTS]      default 200,000
#   BUILD_DIR=build-x  PRELOAD=/path/lib.so     another build; a library to LD_PRELOAD
#   PRODUCER=path                               another producer (default the build's own)
#   BATCH=1 WINDOW=64 CONNECTIONS=4              the producer's message size and flow (default 100, 64, 1)
#   RULES=file.json                             other rules (default bench/ingest/rules_20.json)
set -euo pipefail
cd "$(dirname "$0")/../.."
build=${BUILD_DIR:-build}
events=${1:-200000}
tmp=$(mktemp -d "${TMPDIR:-/tmp}/vigil-cpu.XXXXXX")
trap 'kill $pid 2>/dev/null || true; rm -rf "$tmp"' EXIT
export HOME=$tmp XDG_DATA_HOME=$tmp/data XDG_CONFIG_HOME=$tmp/config VIGIL_TOKEN=bench-token
port=$(/usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
"$build/app/vigil" rules import "${RULES:-bench/ingest/rules_20.json}" --database "$tmp/v.db" 2>/dev/null
${PRELOAD:+env LD_PRELOAD=$PRELOAD} "$build/app/vigil" --headless --database "$tmp/v.db" \
    --listen "127.0.0.1:$port" 2>"$tmp/log" &
pid=$!
for _ in $(seq 100); do grep -q Listening "$tmp/log" && break; sleep 0.1; done
ticks() { for t in /proc/$pid/task/*; do echo "$(tr ' ' _ <"$t/comm") $(awk '{print $14+$15}' "$t/stat")"; done | sort; }
hz=$(getconf CLK_TCK)
ticks >"$tmp/before"
/usr/bin/time -f "%U %S" -o "$tmp/producer" "${PRODUCER:-$build/bench/vigil-bench-producer}" \
    --url "ws://127.0.0.1:$port/events" --events "$events" --batch "${BATCH:-100}" --window "${WINDOW:-64}" \
    --connections "${CONNECTIONS:-1}" --prefix cpu-
ticks >"$tmp/after"
kill -TERM $pid
wait $pid || true
echo "# load average $(cut -d' ' -f1-3 /proc/loadavg); CPU µs per event"
# Threads started during the run (the rules' and models' workers) count from zero.
join -a 2 -e 0 -o 0,1.2,2.2 "$tmp/before" "$tmp/after" | awk -v n="$events" -v hz="$hz" \
    '{d = $3 - $2; if (d > 0) printf "%-16s %6.2f\n", $1, d * 1e6 / hz / n}'
awk -v n="$events" '{printf "%-16s %6.2f\n", "producer", ($1 + $2) * 1e6 / n}' "$tmp/producer"
tail -1 "$tmp/log"
