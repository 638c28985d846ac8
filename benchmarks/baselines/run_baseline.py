"""Time one baseline library's selection on the shared pool. Runs INSIDE the baseline venv.

    .venv-baselines/bin/python benchmarks/baselines/run_baseline.py \
        --data DIR --lib skactiveml --algo coreset --k 50 100 --first 123

Prints one JSON line: {"lib", "algo", "version", "called", "times": {k: seconds}, "picks": {k: [...]}}.
Only the library call is timed (see CALLED below for exactly what); loading the arrays and, for
DISTIL and the k-center baselines of FORGE, building the explicit N x (C*D) gradient embedding that
the library would be handed, happen before the clock starts (which favours the baselines).
Two untimed warm-up calls run first: one on 300 points (lazy imports), one at full size with k=2
(first-touch page faults of the big arrays, BLAS / OpenMP thread pools), since otherwise the
first timed call is consistently 2-3x slower than the next.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from importlib import metadata
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
import common  # noqa: E402

PACKAGE = {"skactiveml": "scikit-activeml", "small-text": "small-text", "distil": "decile-distil"}

CALLED = {
    ("skactiveml", "coreset"): "skactiveml.pool.CoreSet(random_state=0).query(X=[pool; labeled], "
    "y=[nan]*N + [0]*L, batch_size=k)",
    ("skactiveml", "forge"): "skactiveml.pool.CoreSet(random_state=0).query(X=Phi, y=nan except "
    "y[first]=0, batch_size=k-1) on the explicit FORGE embedding Phi = sqrt(C) u (x) h [N, C*D] f32",
    ("skactiveml", "badge"): "skactiveml.pool.Badge(clf_embedding_flag_name='return_embeddings', "
    "random_state=0).query(X=h, y=nan, clf=<stub returning the precomputed softmax and h>, "
    "fit_clf=False, batch_size=k) (Badge builds (p - e_yhat) (x) h itself, float64)",
    ("skactiveml", "clue"): "skactiveml.pool.Clue(predict_dict={'return_embeddings': True}, "
    "cluster_algo_dict={'max_iter': 20, 'tol': 0.0, 'n_init': 1, 'random_state': 0}, "
    "random_state=0).query(X=h, y=nan, estimator=<stub returning (softmax, h, CLUE weights "
    "H(softmax(z)+1e-8))>, fit_estimator=False, batch_size=k) -> sklearn KMeans(sample_weight=w)",
    ("small-text", "coreset"): "small_text.query_strategies.coresets.greedy_coreset(x=[pool; "
    "labeled], indices_unlabeled=arange(N), indices_labeled=arange(N, N+L), n=k, "
    "distance_metric='euclidean') (the function behind GreedyCoreset.sample, normalize=False)",
    ("small-text", "forge"): "small_text.query_strategies.coresets.greedy_coreset(x=Phi, "
    "indices_unlabeled=arange(N), indices_labeled=[first], n=k-1, distance_metric='euclidean')",
    ("small-text", "badge"): "small_text.integrations.pytorch.query_strategies.BADGE(num_classes=C)"
    ".sample(None, None, indices_unlabeled=arange(N), indices_labeled=[], y=None, n=k, "
    "embeddings=h, embeddings_proba=softmax) (builds its embedding, then sklearn kmeans_plusplus)",
    ("distil", "coreset"): "distil.active_learning_strategies.core_set.CoreSet.furthest_first("
    "None, X=h, X_set=labeled, n=k) (what CoreSet.select calls after get_embedding)",
    ("distil", "forge"): "distil...core_set.CoreSet.furthest_first(None, X=Phi, X_set=Phi[[first]], n=k-1)",
    ("distil", "badge"): "distil.active_learning_strategies.badge.init_centers(G, k, 'cpu') on the "
    "explicit float32 gradient embedding G = (p - e_yhat) (x) h [N, C*D] (what BADGE.select calls "
    "after get_grad_embedding(bias_grad=False))",
}


class _Arrays:
    def __init__(self, folder: str, first: int) -> None:
        pool = common.load_pool(folder)
        self.h, self.z, self.lab = pool["features"], pool["logits"], pool["labeled"]
        self.first = first
        self.n, self.c = self.h.shape[0], self.z.shape[1]

    def tiny(self) -> _Arrays:
        t = object.__new__(_Arrays)
        t.h, t.z, t.lab, t.first = self.h[:300], self.z[:300], self.lab[:5], 0
        t.n, t.c = 300, self.c
        return t


def _stub_classifier(probs: np.ndarray, extra: tuple[np.ndarray, ...]):
    """A scikit-activeml classifier that returns precomputed outputs (no model, no fitting)."""
    from skactiveml.base import SkactivemlClassifier

    class Precomputed(SkactivemlClassifier):
        def __init__(self, classes=None, missing_label=np.nan):
            super().__init__(classes=classes, missing_label=missing_label)

        def fit(self, X, y, sample_weight=None):  # noqa: N803
            return self

        def predict_proba(self, X, return_embeddings=False):  # noqa: N803
            if len(X) != len(probs):
                raise ValueError("the stub only answers for the whole pool")
            return (probs, X, *extra) if return_embeddings else probs

    return Precomputed(classes=np.arange(probs.shape[1]))


def clue_weights(z: np.ndarray) -> np.ndarray:
    q = common.softmax(z.astype(np.float64)) + 1e-8
    return np.maximum(-(q * np.log(q)).sum(axis=1), 0.0)


def prepare(lib: str, algo: str, a: _Arrays):
    """Return f(k) -> picks; everything outside f is untimed preparation."""
    if algo == "forge":
        phi = common.forge_matrix(a.z, a.h)
    if lib == "distil" and algo == "badge":
        g = common.badge_matrix(a.z, a.h)

    if lib == "skactiveml":
        from skactiveml.pool import Badge, Clue, CoreSet

        if algo == "coreset":
            x = np.concatenate([a.h, a.lab])
            y = np.full(len(x), np.nan)
            y[a.n :] = 0
            return lambda k: CoreSet(random_state=0).query(x, y, batch_size=k)
        if algo == "forge":
            y = np.full(a.n, np.nan)
            y[a.first] = 0
            return lambda k: [a.first, *CoreSet(random_state=0).query(phi, y, batch_size=k - 1)]
        probs = common.softmax(a.z.astype(np.float64))
        y = np.full(a.n, np.nan)
        if algo == "badge":
            clf = _stub_classifier(probs, ())
            return lambda k: Badge(clf_embedding_flag_name="return_embeddings", random_state=0).query(
                a.h, y, clf, fit_clf=False, batch_size=k
            )
        if algo == "clue":
            est = _stub_classifier(probs, (clue_weights(a.z),))
            kmeans = {"max_iter": 20, "tol": 0.0, "n_init": 1, "random_state": 0}
            return lambda k: Clue(
                predict_dict={"return_embeddings": True}, cluster_algo_dict=kmeans, random_state=0
            ).query(a.h, y, est, fit_estimator=False, batch_size=k)

    if lib == "small-text":
        from small_text.query_strategies.coresets import greedy_coreset

        if algo == "coreset":
            x = np.concatenate([a.h, a.lab])
            unl, lab = np.arange(a.n), np.arange(a.n, len(x))
            return lambda k: greedy_coreset(x, unl, lab, k, distance_metric="euclidean")
        if algo == "forge":
            unl, lab = np.arange(a.n), np.array([a.first])
            return lambda k: [a.first, *greedy_coreset(phi, unl, lab, k - 1, distance_metric="euclidean")]
        if algo == "badge":
            from small_text.integrations.pytorch.query_strategies.strategies import BADGE

            probs = common.softmax(a.z.astype(np.float64))
            unl, lab = np.arange(a.n), np.array([], dtype=int)
            return lambda k: BADGE(a.c).sample(None, None, unl, lab, None, k, a.h, embeddings_proba=probs)

    if lib == "distil":
        from distil.active_learning_strategies.badge import init_centers
        from distil.active_learning_strategies.core_set import CoreSet

        if algo == "coreset":
            return lambda k: CoreSet.furthest_first(None, a.h, a.lab, k)
        if algo == "forge":
            return lambda k: [a.first, *CoreSet.furthest_first(None, phi, phi[[a.first]], k - 1)]
        if algo == "badge":
            np.random.seed(0)  # init_centers draws with scipy.stats.rv_discrete (global numpy state)
            return lambda k: init_centers(g, k, "cpu")

    raise SystemExit(f"{lib} has no {algo}")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--data", required=True)
    ap.add_argument("--lib", required=True, choices=sorted(PACKAGE))
    ap.add_argument("--algo", required=True, choices=["coreset", "forge", "badge", "clue"])
    ap.add_argument("--k", type=int, nargs="+", required=True)
    ap.add_argument(
        "--first", type=int, default=0, help="FORGE's first (random) pick, from labelq's generator"
    )
    args = ap.parse_args()

    arrays = _Arrays(args.data, args.first)
    tiny = arrays.tiny()
    prepare(args.lib, args.algo, tiny)(3)  # warm-up: imports, sklearn/scipy lazy init

    run = prepare(args.lib, args.algo, arrays)
    run(2)  # full-size warm-up
    times, picks = {}, {}
    for k in args.k:
        t0 = time.perf_counter()
        sel = run(k)
        times[k] = time.perf_counter() - t0
        picks[k] = [int(i) for i in np.asarray(sel).ravel()]
        common.log(f"  {args.lib} {args.algo} k={k}: {times[k]:.2f} s")
    out = {
        "lib": args.lib,
        "algo": args.algo,
        "version": metadata.version(PACKAGE[args.lib]),
        "called": CALLED[(args.lib, args.algo)],
        "times": times,
        "picks": picks,
    }
    print(json.dumps(out))


if __name__ == "__main__":
    main()
