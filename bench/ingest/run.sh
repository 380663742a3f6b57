#!/usr/bin/env bash
# The ingest benchmark: vigil --headless with 20 rules (three window rules) on a fresh SQLite
# database, fed over loopback by a separate producer process; beside it, raw SQLite inserts
# of the same rows as the ceiling. Prints JSON lines; see docs/benchmarks.md.
#
#   bench/ingest/run.sh [EVENTS]          default 1,000,000 events in messages of 100, first from
#                                          4 producers at once (a vigil of its own), then from
#                                          one producer and the steps below (one vigil)
#   PRODUCERS=1                            leave out the first step (as SOAK=1 does)
#   SOAK=1 bench/ingest/run.sh 10000000   also samples vigil's resident memory every 2 s
#   RULES=bench/ingest/rules_20_short_windows.json   the same rules with 1-minute windows
#   SKIP_CEILING=1                         vigil only
#   REPLAY=1                               the second and third producers send event numbers 0, 1, …
#                                          again (same sources, cards, amounts) within the rules'
#                                          windows: an alert storm (the default continues the sequence)
set -euo pipefail
cd "$(dirname "$0")/../.."
build=${BUILD_DIR:-build}
events=${1:-1000000}
single_events=${SINGLE_EVENTS:-200000}
vigil=$build/app/vigil
producer=$build/bench/vigil-bench-producer
ceiling=$build/bench/vigil-bench-sqlite-ceiling
[[ -x $vigil && -x $producer && -x $ceiling ]] || { echo "build first: scripts/setup.sh" >&2; exit 1; }

tmp=$(mktemp -d "${TMPDIR:-/tmp}/vigil-bench.XXXXXX")
trap 'kill $pid 2>/dev/null || true; rm -rf "$tmp"' EXIT
export HOME=$tmp XDG_DATA_HOME=$tmp/data XDG_CONFIG_HOME=$tmp/config VIGIL_TOKEN=bench-token
port=$(/usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')

echo "# machine: $(nproc) cores, $(free -g | awk '/Mem:/{print $2}') GiB, $(uname -r); $(date -u +%FT%TZ)"
# start_vigil NAME: vigil --headless on a fresh database NAME.db with the benchmark's rules.
start_vigil() {
  "$vigil" rules import "${RULES:-bench/ingest/rules_20.json}" --database "$tmp/$1.db" 2>/dev/null
  "$vigil" --headless --database "$tmp/$1.db" --listen "127.0.0.1:$port" 2>"$tmp/vigil.log" &
  pid=$!
  for _ in $(seq 100); do
    grep -q Listening "$tmp/vigil.log" && break
    sleep 0.1
  done
}
rss() { awk '/VmRSS/{print $2}' "/proc/$pid/status"; }

if [[ -z ${SOAK:-} && ${PRODUCERS:-4} -gt 1 ]]; then
  # Several producers at once, as a deployment has them, on a database of its own.
  start_vigil producers
  echo "# vigil, messages of 100 events, ${PRODUCERS:-4} connections x 64 in flight (a database of its own)"
  "$producer" --url "ws://127.0.0.1:$port/events" --events "$events" --batch 100 --window 64 \
      --connections "${PRODUCERS:-4}" --prefix batchn-
  echo "{\"rss_kib_after\":$(rss)}"
  kill -TERM $pid
  wait $pid
  tail -2 "$tmp/vigil.log"
  rm -f "$tmp"/producers.db*
fi

start_vigil vigil
if [[ ${SOAK:-} == 1 ]]; then
  ( while kill -0 $pid 2>/dev/null; do echo "$(date +%s) $(rss)"; sleep 2; done ) >"$tmp/rss.txt" &
  sampler=$!
fi

echo "{\"rss_kib_before\":$(rss)}"
echo "# vigil, messages of 100 events, 64 in flight"
"$producer" --url "ws://127.0.0.1:$port/events" --events "$events" --batch 100 --window 64 --prefix batch-
echo "{\"rss_kib_after\":$(rss)}"
echo "# vigil, messages of 100 events, 8 in flight"
second=$events third=$((events + single_events))
[[ ${REPLAY:-} == 1 ]] && second=0 third=0
"$producer" --url "ws://127.0.0.1:$port/events" --events "$single_events" --batch 100 --window 8 --prefix batch8- --first "$second"
echo "# vigil, messages of 1 event, 4 connections x 64 in flight"
"$producer" --url "ws://127.0.0.1:$port/events" --events "$single_events" --batch 1 --window 64 --connections 4 --prefix single- --first "$third"
echo "{\"rss_kib_after\":$(rss)}"
kill -TERM $pid
wait $pid
tail -2 "$tmp/vigil.log"
if [[ ${SOAK:-} == 1 ]]; then
  wait $sampler 2>/dev/null || true
  cp "$tmp/rss.txt" "${RSS_OUT:-bench/results/rss.txt}" 2>/dev/null || { mkdir -p bench/results; cp "$tmp/rss.txt" bench/results/rss.txt; }
  echo "# resident memory samples (epoch, KiB) written to ${RSS_OUT:-bench/results/rss.txt}"
fi

[[ ${SKIP_CEILING:-} == 1 ]] && exit 0
echo "# ceiling: raw SQLite inserts of the same rows, one transaction per 100 events (a message)"
"$ceiling" "$tmp/ceiling.db" "$single_events" 100
echo "# ceiling: raw SQLite inserts of the same rows, one transaction per 5000 events"
"$ceiling" "$tmp/ceiling5k.db" "$single_events" 5000
echo "# ceiling: raw SQLite inserts, one transaction (one fsync) per event"
"$ceiling" "$tmp/ceiling1.db" 5000 1
