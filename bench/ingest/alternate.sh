#!/usr/bin/env bash
# Compares builds by running them in turn, round after round: this machine's speed drifts by
# ±10 % within an hour, so only runs side by side compare. Each run is one
# cpu_per_event.sh (a fresh vigil and database): events/s, reply p99 and CPU µs per event by
# thread, one line per run; the medians are worked out from these lines.
#
#   bench/ingest/alternate.sh EVENTS BUILD_DIR...    e.g. 1000000 build-before build
#   BUILD_DIR:VAR=VALUE[,VAR=VALUE]                  a build run with environment variables set,
#                                                    e.g. 1000000 build:VIGIL_WRITER_PRIORITY=0 build
#                                                    (so BUILD_DIR holds no ':' and a VALUE no ',')
#   ROUNDS=5 CONNECTIONS=4                           rounds (default 5), producer connections (default 4)
#   PRODUCER=path                                    one producer for every build (default each build's own)
set -euo pipefail
cd "$(dirname "$0")/../.."
usage() { echo "usage: bench/ingest/alternate.sh EVENTS BUILD_DIR[:VAR=VALUE[,VAR=VALUE]]..." >&2; exit 2; }
[[ $# -ge 2 ]] || usage
for run in "${@:2}"; do
  [[ $run == *:* ]] || continue
  IFS=, read -r -a settings <<<"${run#*:}"
  for setting in "${settings[@]}"; do
    [[ $setting =~ ^[A-Za-z_][A-Za-z0-9_]*= ]] || { echo "alternate.sh: '$setting' in '$run' is not VAR=VALUE" >&2; usage; }
  done
done
events=$1
shift
for round in $(seq "${ROUNDS:-5}"); do
  for run in "$@"; do
    build=${run%%:*}
    settings=()
    [[ $run == *:* ]] && IFS=, read -r -a settings <<<"${run#*:}"
    out=$(env ${settings[@]+"${settings[@]}"} BUILD_DIR="$build" CONNECTIONS="${CONNECTIONS:-4}" bench/ingest/cpu_per_event.sh "$events" 2>&1)
    rate=$(grep -o '"events_per_s":[0-9]*' <<<"$out" | cut -d: -f2)
    p99=$(grep -o '"reply_ms_p99":[0-9.]*' <<<"$out" | cut -d: -f2)
    threads=$(awk '/^vigil-|^producer/{printf " %s=%s", $1, $2}' <<<"$out")
    echo "round=$round build=$run events_per_s=$rate p99_ms=$p99$threads"
  done
done
