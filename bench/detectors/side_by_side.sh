#!/bin/sh
# Isolation Forest and LOF batch scoring on the shuttle test rows, Vigil next to scikit-learn,
# ROUNDS times (default 3): each round runs scikit-learn's timing and then Vigil's within the
# same minute, prints both and the ratios; the last lines are the medians of the per-round
# ratios. The load average is printed before every round.
#
# usage: bench/detectors/side_by_side.sh BUILD_DIR [DATA_DIR] [SPLITS_DIR] [ROUNDS]
set -eu
build=$1
here=$(cd "$(dirname "$0")" && pwd)
data=${2:-$here/../../../shared/data}
splits=${3:-$here/../results/splits}
rounds=${4:-3}
python=/usr/bin/python3
out=$(mktemp)
trap 'rm -f "$out"' EXIT
for round in $(seq 1 "$rounds"); do
    echo "round $round: load average $(cut -d' ' -f1-3 /proc/loadavg)"
    sk=$("$python" "$here/sklearn_reference.py" --speed "$data")
    vg=$("$build/bench/bench_detectors" --data "$data" --splits "$splits" --scoring)
    echo "  scikit-learn: $sk"
    echo "  vigil:        $vg"
    "$python" - "$sk" "$vg" >>"$out" <<'PY'
import json, sys
sk, vg = json.loads(sys.argv[1]), json.loads(sys.argv[2])
print(json.dumps({
    "if_1t": vg["if_1t"] / sk["if_rows_per_s"], "if_2t": vg["if_2t"] / sk["if_rows_per_s"],
    "lof_1t": vg["lof_1t"] / sk["lof_rows_per_s"], "lof_2t": vg["lof_2t"] / sk["lof_rows_per_s"],
    "lof_2t_vs_all": vg["lof_2t"] / sk["lof_all_cores_rows_per_s"], "sk_lof_all": sk["lof_all_cores_rows_per_s"],
    "sk_if": sk["if_rows_per_s"], "sk_lof": sk["lof_rows_per_s"],
    "vg_if_1t": vg["if_1t"], "vg_if_2t": vg["if_2t"], "vg_lof_1t": vg["lof_1t"], "vg_lof_2t": vg["lof_2t"]}))
PY
    tail -n 1 "$out" | sed 's/^/  ratios: /'
done
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
"$python" - "$out" <<'PY'
import json, statistics, sys
rows = [json.loads(l) for l in open(sys.argv[1])]
for key in ["sk_if", "vg_if_1t", "vg_if_2t", "sk_lof", "sk_lof_all", "vg_lof_1t", "vg_lof_2t"]:
    print("median %-9s %10.0f rows/s" % (key, statistics.median(r[key] for r in rows)))
for key in ["if_1t", "if_2t", "lof_1t", "lof_2t", "lof_2t_vs_all"]:
    print("median ratio %-13s %6.1fx  (rounds: %s)" % (key, statistics.median(r[key] for r in rows),
          ", ".join("%.1f" % r[key] for r in rows)))
PY
