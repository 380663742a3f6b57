#!/usr/bin/python3
"""scikit-learn reference figures for Vigil's detector benchmark, measured on the same machine.

Follows the protocol of ../shared/data/README.md: stratified 60/40 split, z-scored with the
training rows' statistics, seeds 0-4; IsolationForest(n_estimators=100, max_samples=256,
random_state=seed); LocalOutlierFactor(n_neighbors=20, novelty=True). One thread.

Writes, per dataset and seed, the test-row indices to SPLITS/<name>_seed<k>.txt so that
bench_detectors scores exactly the same rows, and prints one JSON object with the figures.

usage: sklearn_reference.py DATA_DIR SPLITS_DIR [dataset ...]
       sklearn_reference.py --speed DATA_DIR
The second form only times batch scoring of the shuttle test rows (seed 0 split), best of
5 calls for IsolationForest.score_samples and best of 3 for LocalOutlierFactor's (one thread,
then n_jobs=-1), and prints the rows per second as JSON; side_by_side.sh runs it next to bench_detectors --scoring.
"""
import json
import os
import sys
import time

os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import numpy as np
import sklearn
from sklearn.ensemble import IsolationForest
from sklearn.metrics import average_precision_score, roc_auc_score
from sklearn.model_selection import train_test_split
from sklearn.neighbors import LocalOutlierFactor

DATASETS = ["cardio", "thyroid", "satimage-2", "mammography", "shuttle", "http"]
SEEDS = range(5)


def load(data_dir, name):
    d = np.loadtxt(os.path.join(data_dir, name + ".csv"), delimiter=",", skiprows=1)
    return d[:, :-1], d[:, -1].astype(int)


def split(X, y, seed):
    idx = np.arange(len(y))
    tr, te = train_test_split(idx, test_size=0.4, stratify=y, random_state=seed)
    tr.sort()
    te.sort()
    mu = X[tr].mean(0)
    sd = X[tr].std(0)
    sd[sd == 0] = 1
    return tr, te, (X[tr] - mu) / sd, (X[te] - mu) / sd


def speed(data_dir):
    X, y = load(data_dir, "shuttle")
    tr, te, Xtr, Xte = split(X, y, 0)
    out = {"sklearn": sklearn.__version__, "test_rows": int(len(te))}
    m = IsolationForest(n_estimators=100, max_samples=256, random_state=0).fit(Xtr)
    best = min(timed(lambda: m.score_samples(Xte)) for _ in range(5))
    out["if_rows_per_s"] = len(te) / best
    lof = LocalOutlierFactor(n_neighbors=20, novelty=True).fit(Xtr)
    best = min(timed(lambda: lof.score_samples(Xte)) for _ in range(3))
    out["lof_rows_per_s"] = len(te) / best
    # LOF's neighbour queries can use every core (n_jobs=-1); IsolationForest.score_samples
    # has no such option, so one thread is scikit-learn's best there.
    lof.set_params(n_jobs=-1)
    best = min(timed(lambda: lof.score_samples(Xte)) for _ in range(3))
    out["lof_all_cores_rows_per_s"] = len(te) / best
    print(json.dumps(out))


def timed(f):
    t = time.perf_counter()
    f()
    return time.perf_counter() - t


def main():
    if sys.argv[1] == "--speed":
        speed(sys.argv[2])
        return
    data_dir, splits_dir = sys.argv[1], sys.argv[2]
    names = sys.argv[3:] or DATASETS
    os.makedirs(splits_dir, exist_ok=True)
    out = {"sklearn": sklearn.__version__, "numpy": np.__version__, "datasets": {}}
    for name in names:
        X, y = load(data_dir, name)
        res = {"rows": int(len(y)), "features": int(X.shape[1]), "if_auc": [], "if_pr": [], "lof_auc": [], "lof_pr": []}
        for seed in SEEDS:
            tr, te, Xtr, Xte = split(X, y, seed)
            with open(os.path.join(splits_dir, "%s_seed%d.txt" % (name, seed)), "w") as f:
                f.write(" ".join(str(i) for i in te) + "\n")
            t = time.perf_counter()
            m = IsolationForest(n_estimators=100, max_samples=256, random_state=seed).fit(Xtr)
            fit_s = time.perf_counter() - t
            t = time.perf_counter()
            s = -m.score_samples(Xte)
            score_s = time.perf_counter() - t
            res["if_auc"].append(roc_auc_score(y[te], s))
            res["if_pr"].append(average_precision_score(y[te], s))
            if seed == 0:
                res["if_fit_s"] = fit_s
                res["if_score_s"] = score_s
                res["test_rows"] = int(len(te))
                res["train_rows"] = int(len(tr))
                lat = []
                for i in range(200):
                    row = Xte[i % len(Xte)].reshape(1, -1)
                    t = time.perf_counter()
                    m.score_samples(row)
                    lat.append(time.perf_counter() - t)
                res["if_one_row_p50_ms"] = float(np.percentile(lat, 50) * 1e3)
                res["if_one_row_p99_ms"] = float(np.percentile(lat, 99) * 1e3)
            # LOF: every seed on the small sets, seed 0 only on http (its fit takes minutes).
            if name != "http" or seed == 0:
                t = time.perf_counter()
                lof = LocalOutlierFactor(n_neighbors=20, novelty=True).fit(Xtr)
                lof_fit = time.perf_counter() - t
                t = time.perf_counter()
                s = -lof.score_samples(Xte)
                lof_score = time.perf_counter() - t
                res["lof_auc"].append(roc_auc_score(y[te], s))
                res["lof_pr"].append(average_precision_score(y[te], s))
                if seed == 0:
                    res["lof_fit_s"] = lof_fit
                    res["lof_score_s"] = lof_score
            print("%s seed %d done" % (name, seed), file=sys.stderr, flush=True)
        for k in ["if_auc", "if_pr", "lof_auc", "lof_pr"]:
            res[k + "_mean"] = float(np.mean(res[k]))
        out["datasets"][name] = res
    print(json.dumps(out, indent=1))


if __name__ == "__main__":
    main()
