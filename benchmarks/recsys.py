"""Recommender benchmarks (not CI): speed and memory at scale, accuracy on MovieLens-100K.

Three commands::

    # time and peak memory of item kNN, SGD-MF and ALS-MF on synthetic data of growing size
    python benchmarks/recsys.py synthetic --sizes 100k 1m 10m

    # MovieLens-100K from the cache (or an unpacked ml-100k folder given as PATH):
    # 1. rating error: mean RMSE and time over the five official folds (u1.base/u1.test ... u5),
    #    against the course's targets and Surprise's published figures;
    # 2. top-10 ranking with microsoft/recommenders' protocol (see RANKING_PROTOCOL);
    # written to book/results/recsys_movielens.json, which chapter 4.2 quotes
    python benchmarks/recsys.py movielens [PATH]

    # the validation grid behind ImplicitALS's defaults (training ratings only)
    python benchmarks/recsys.py validate-implicit-als --data movielens

Adding a model to a table is one line: an entry in RATING_MODELS (the five-fold RMSE table)
or RANKING_MODELS (the ranking table).

The same models from scikit-surprise (SVD, KNNBaseline) and implicit (ALS) run on the same data
when those packages are installed; otherwise the script says so and carries on.

Each synthetic measurement runs in a forked child process (Linux): the time of ``fit`` plus
predicting the test ratings, with no tracer attached, and the peak *extra* resident memory of
that child (its ``VmHWM`` reset at the start, minus its resident set at the start), which
counts every allocation, ours and external packages' alike.
"""

from __future__ import annotations

import argparse
import ctypes
import gc
import importlib.util
import os
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from fusionlab._validation import check_random_state  # noqa: E402
from fusionlab.data import load_movielens_100k, load_movielens_100k_folds, make_synthetic_ratings  # noqa: E402
from fusionlab.recsys import (ALSMF, BiasBaseline, BiasedMF, ImplicitALS, ItemKNN, Popularity, UserKNN,  # noqa: E402
                              implicit_matrix, matrix_from_ratings, random_split, rmse)
from fusionlab.results import benchmark_command, dataset_record, make_results, write_results  # noqa: E402

#: name -> (n_users, n_items, n_ratings): the shapes of MovieLens 100K, 1M and 10M (and a smoke test).
SIZES = {"10k": (300, 400, 10_000), "100k": (943, 1_682, 100_000), "1m": (6_040, 3_706, 1_000_000), "10m": (69_878, 10_677, 10_000_000)}

#: Targets of the issue (mean RMSE over the five ML-100K folds) and Surprise's figures on 2 cores.
TARGETS = {"MF (SGD)": 0.93, "item kNN (baseline)": 0.92}
SURPRISE_REFERENCE = {"MF (SGD)": ("SVD", 0.938, 4.7), "item kNN (baseline)": ("KNNBaseline", 0.920, 19.0)}


def our_models(n_items: int) -> dict:
    """The models benchmarked.

    Past 4,096 items, item kNN keeps at most 200 neighbours per item, so its similarity table
    grows as n_items x 200. That costs accuracy: on the 1M synthetic set, test RMSE 0.621 with
    200 neighbours against 0.596 keeping all and 0.597 keeping 1,000 (measured 2026-11-29).
    """
    return {
        "item kNN (baseline)": ItemKNN(max_neighbours=None if n_items <= 4096 else 200),
        "MF (SGD)": BiasedMF(random_state=0),
        "MF (ALS)": ALSMF(random_state=0),
    }


#: The five-fold RMSE table: name -> factory(n_items) returning an unfitted rating model.
RATING_MODELS = {
    "biases": lambda n_items: BiasBaseline(),
    "item kNN (baseline)": lambda n_items: ItemKNN(max_neighbours=None if n_items <= 4096 else 200),
    "MF (SGD)": lambda n_items: BiasedMF(random_state=0),
    "MF (ALS)": lambda n_items: ALSMF(random_state=0),
}


def _neumf(**options):
    from fusionlab.recsys import NeuMF  # TensorFlow is imported only when NeuMF is built

    return NeuMF(**options)


#: The top-10 ranking table: name -> (factory(seed) returning an unfitted model, what it is fitted
#: on: "interactions" (every training rating as a 1) or "ratings" (the stars)).
RANKING_MODELS = {
    "popularity": (lambda seed: Popularity(), "interactions"),
    "implicit ALS": (lambda seed: ImplicitALS(random_state=seed), "interactions"),
    "NeuMF": (lambda seed: _neumf(n_epochs=20, random_state=seed), "interactions"),
    "biases": (lambda seed: BiasBaseline(), "ratings"),
    "item kNN": (lambda seed: ItemKNN(), "ratings"),
    "user kNN": (lambda seed: UserKNN(), "ratings"),
    "MF (SGD)": (lambda seed: BiasedMF(random_state=seed), "ratings"),
    "MF (ALS)": (lambda seed: ALSMF(random_state=seed), "ratings"),
}

#: microsoft/recommenders' protocol for its MovieLens-100K ranking table, which we follow.
RANKING_PROTOCOL = (
    "microsoft/recommenders' MovieLens-100K protocol: per user, a random 75% of the ratings train and 25% test "
    "(python_stratified_split: round(0.75 n) to train); every rating is an implicit interaction (relevant = any "
    "test rating); items rated in training are removed from each user's list; top 10; metrics averaged over all "
    "test users"
)
#: Their published NDCG@10 on that protocol (README benchmark table).
RANKING_REFERENCE = {"BPR": 0.442, "NCF": 0.399, "SAR": 0.388}


def stratified_split(user_ids, ratio: float = 0.75, random_state=0):
    """Per-user random split: each user's ratings shuffled, the first ``round(ratio * n)`` train.

    ``round`` is Python's (half to even), as in microsoft/recommenders' ``python_stratified_split``
    (``np.split`` at ``round(ratio * len(group))`` of each shuffled user group).

    Returns
    -------
    train_index, test_index : ndarray of int64, sorted
    """
    users = np.asarray(user_ids, dtype=np.int64)
    rng = check_random_state(random_state)
    order = np.lexsort((rng.random(users.size), users))  # users grouped, random order inside
    sorted_users = users[order]
    starts = np.flatnonzero(np.r_[True, sorted_users[1:] != sorted_users[:-1]])
    counts = np.diff(np.r_[starts, users.size])
    rank = np.arange(users.size) - np.repeat(starts, counts)
    is_train = rank < np.repeat(np.round(ratio * counts).astype(np.int64), counts)  # np.round: half to even
    return np.sort(order[is_train]), np.sort(order[~is_train])


def ranking_metrics(recommended: np.ndarray, relevant: list, k: int = 10) -> dict:
    """Top-k metrics as microsoft/recommenders defines them, averaged over every user given.

    For a user with relevant set ``T`` (non-empty) and list ``r_1..r_k`` (hits ``h_j``):

    - precision@k = sum h_j / k;  recall@k = sum h_j / |T|;
    - NDCG@k = (sum h_j / log(1 + j)) / (sum_{j <= min(k, |T|)} 1 / log(1 + j)) (any log base);
    - MAP@k = (sum_j h_j * precision@j) / min(k, |T|)  (recommenders' ``map_at_k``; ours);
    - MAP = (sum_j h_j * precision@j) / |T|  (recommenders' ``map``, the "MAP" of their
      published table: normalised by every relevant item, not only the k that fit in a list).
    """
    from fusionlab.recsys import map_at_k, ndcg_at_k, precision_at_k, recall_at_k

    sizes = np.array([len(items) for items in relevant], dtype=np.float64)
    hits = np.array([np.isin(row[:k], list(items)) for row, items in zip(recommended, relevant)])  # (n_users, k)
    precision_at_rank = np.cumsum(hits, axis=1) / np.arange(1, k + 1)
    return {
        f"precision@{k}": precision_at_k(recommended, relevant, k),
        f"recall@{k}": recall_at_k(recommended, relevant, k),
        f"ndcg@{k}": ndcg_at_k(recommended, relevant, k),
        f"map@{k}": map_at_k(recommended, relevant, k),
        "map": float(np.mean((precision_at_rank * hits).sum(axis=1) / sizes)),
    }


def run_ranking(ratings, seeds=(0, 1, 2), k: int = 10, models=None) -> dict:
    """The ranking table: each model's metrics (mean and standard deviation over ``seeds``)."""
    models = RANKING_MODELS if models is None else models
    per_model: dict = {name: [] for name in models}
    n_test_users = []
    for seed in seeds:
        train, test = stratified_split(ratings.user_ids, 0.75, random_state=seed)
        R_train, R_test = matrix_from_ratings(ratings, train), matrix_from_ratings(ratings, test)
        users = np.flatnonzero(np.diff(R_test.indptr) > 0)
        relevant = [R_test.indices[R_test.indptr[u]:R_test.indptr[u + 1]] for u in users]
        n_test_users.append(int(users.size))
        interactions = implicit_matrix(R_train)
        for name, (factory, fitted_on) in models.items():
            model = factory(seed)
            start = time.perf_counter()
            model.fit(interactions if fitted_on == "interactions" else R_train)
            fit_s = time.perf_counter() - start
            metrics = ranking_metrics(model.recommend(users, k), relevant, k)
            per_model[name].append({**metrics, "fit_s": fit_s})
            print(f"seed {seed}: {name:>14} NDCG@{k} {metrics[f'ndcg@{k}']:.4f}  MAP {metrics['map']:.4f}  "
                  f"precision@{k} {metrics[f'precision@{k}']:.4f}  fit {fit_s:6.2f} s", flush=True)
    table = {}
    for name, rows in per_model.items():
        table[name] = {"fitted_on": models[name][1]}
        for key in rows[0]:
            values = np.array([row[key] for row in rows])
            table[name][key] = float(values.mean())
            table[name][f"{key}_std"] = float(values.std())
    return {"protocol": RANKING_PROTOCOL, "k": k, "seeds": list(seeds), "n_splits": len(seeds), "n_test_users": n_test_users,
            "models": table, "reference_ndcg@10": RANKING_REFERENCE}


def validate_implicit_als(ratings, seeds=(0, 1), alphas=(0.3, 1, 3, 10, 30), regs=(0.1, 1, 10, 30, 100)) -> dict:
    """NDCG@10 of ImplicitALS over an (alpha, reg) grid, on validation splits of training data only.

    For each seed: chapter 4.2's split (``per_user_holdout``, 20% test, never looked at), then a
    second per-user 80/20 split of its training part; models are fitted on the first part and
    ranked against the second (relevant: rated 4 or more, every user). Returns
    ``{"alpha=A,reg=R": mean NDCG@10}`` and ``"popularity"``.
    """
    from fusionlab.recsys import compare_models, per_user_holdout

    scores: dict = {}
    for seed in seeds:
        train, _ = per_user_holdout(ratings.user_ids, test_size=0.2, random_state=seed)
        part = ratings.take(train)
        fit_index, validation_index = per_user_holdout(part.user_ids, test_size=0.2, random_state=100 + seed)
        models = {f"alpha={a},reg={r}": ImplicitALS(alpha=a, reg=r, random_state=seed) for a in alphas for r in regs}
        models["popularity"] = Popularity(min_rating=4)
        results = compare_models(models, matrix_from_ratings(part, fit_index), matrix_from_ratings(part, validation_index),
                                 k=10, n_ranking_users=None, random_state=seed, verbose=False)
        for name, result in results.items():
            scores.setdefault(name, []).append(result.ranking["ndcg@10"])
    table = {name: float(np.mean(values)) for name, values in scores.items()}
    for name, value in sorted(table.items(), key=lambda item: -item[1]):
        print(f"{name:>22}: validation NDCG@10 {value:.4f}")
    return table


def _rss_mb(field: str) -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1]) / 1e3  # kB
    raise OSError(f"{field} not in /proc/self/status")


def measure(job):
    """Run ``job()`` in a forked child; return (its result, seconds, peak extra memory in MB).

    The child times ``job`` with no tracer attached and reports how far its resident set
    rose above where it started (freed heap is first returned to the system with glibc's
    ``malloc_trim`` and the peak, ``VmHWM``, reset), so memory and time come from the same run. ``job`` returns a small picklable value. Linux only (fork and /proc).
    """
    import pickle

    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:  # child
        os.close(read_end)
        try:
            gc.collect()
            ctypes.CDLL("libc.so.6").malloc_trim(0)  # hand freed heap back, or reuse of it hides allocations
            Path("/proc/self/clear_refs").write_text("5")  # reset the peak resident set
            start_rss = _rss_mb("VmRSS")
            start = time.perf_counter()
            value = job()
            seconds = time.perf_counter() - start
            payload = (value, seconds, _rss_mb("VmHWM") - start_rss)
        except BaseException as exc:  # report, never fall through into the parent's code
            payload = exc
        with os.fdopen(write_end, "wb") as pipe:
            pickle.dump(payload, pipe)
        os._exit(0)
    os.close(write_end)
    with os.fdopen(read_end, "rb") as pipe:
        payload = pickle.load(pipe)
    os.waitpid(pid, 0)
    if isinstance(payload, BaseException):
        raise payload
    return payload


def external_models():
    """Surprise and implicit counterparts, when installed; a note for each that is not."""
    available = {}
    if importlib.util.find_spec("surprise"):
        from surprise import SVD, KNNBaseline

        available["surprise SVD"] = lambda: SVD(random_state=0)
        available["surprise KNNBaseline"] = lambda: KNNBaseline(sim_options={"name": "pearson_baseline", "user_based": False}, verbose=False)
    else:
        print("note: scikit-surprise is not installed; its SVD and KNNBaseline are skipped (pip install scikit-surprise).")
    if importlib.util.find_spec("implicit"):
        from implicit.als import AlternatingLeastSquares

        available["implicit ALS"] = lambda: AlternatingLeastSquares(factors=32, regularization=10.0, iterations=10, random_state=0)
    else:
        print("note: implicit is not installed; its ALS is skipped (pip install implicit).")
    return available


def surprise_trainset(user_ids, item_ids, ratings):
    """A Surprise trainset built through its public file reader (no pandas needed).

    Its raw ids are the ids as strings: ask ``algorithm.predict(str(user), str(item))``.
    """
    import tempfile

    from surprise import Dataset, Reader

    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "ratings.txt"
        np.savetxt(path, np.column_stack([user_ids, item_ids, ratings]), fmt=["%d", "%d", "%.1f"])
        return Dataset.load_from_file(str(path), Reader(line_format="user item rating", sep=" ", rating_scale=(1, 5))).build_full_trainset()


def surprise_rmse(factory, train_triplets, test_triplets):
    """Fit a Surprise algorithm on (user, item, rating) arrays; return (rmse, fit seconds)."""
    trainset = surprise_trainset(*train_triplets)
    algorithm = factory()
    start = time.perf_counter()
    algorithm.fit(trainset)
    seconds = time.perf_counter() - start
    predictions = [algorithm.predict(str(u), str(i)).est for u, i in zip(test_triplets[0], test_triplets[1])]
    return rmse(test_triplets[2], np.asarray(predictions)), seconds


def run_synthetic(sizes) -> list[dict]:
    externals = external_models()
    rows = []
    print(f"{'size':>5} {'model':>22} {'fit s':>8} {'peak MB':>9} {'RMSE':>7} {'oracle':>7}")
    for size in sizes:
        n_users, n_items, n_ratings = SIZES[size]
        data = make_synthetic_ratings(n_users, n_items, n_ratings, random_state=0)
        train, test = random_split(len(data), test_size=0.1, random_state=0)
        R_train = matrix_from_ratings(data, train)
        users, items, ratings = data.user_ids[test], data.item_ids[test], data.ratings[test]
        oracle = float(np.sqrt(np.mean((ratings - data.clean_scores[test]) ** 2)))
        del data
        csr_mb = (R_train.data.nbytes + R_train.indices.nbytes + R_train.indptr.nbytes) / 1e6
        print(f"{size:>5}: {R_train.nnz:,} training ratings, CSR {csr_mb:.0f} MB, dense would be {n_users * n_items * 8 / 1e9:.1f} GB")
        for name, model in our_models(n_items).items():
            fitted_model, seconds, peak = measure(lambda: model.fit(R_train).predict(users, items))
            error = rmse(ratings, fitted_model)
            print(f"{size:>5} {name:>22} {seconds:8.2f} {peak:9.0f} {error:7.3f} {oracle:7.3f}", flush=True)
            rows.append({"size": size, "model": name, "seconds": seconds, "peak_mb": peak, "rmse": error, "oracle": oracle})
        for name, factory in externals.items():
            if name.startswith("surprise"):
                (error, seconds), _, peak = measure(lambda: surprise_rmse(factory, data_triplets(R_train), (users, items, ratings)))
                print(f"{size:>5} {name:>22} {seconds:8.2f} {peak:9.0f} {error:7.3f} {oracle:7.3f}", flush=True)
            else:
                from scipy.sparse import csr_matrix

                model = factory()
                binary = csr_matrix((np.ones(R_train.nnz), R_train.indices, R_train.indptr), shape=R_train.shape)
                _, seconds, peak = measure(lambda: model.fit(binary, show_progress=False))
                print(f"{size:>5} {name:>22} {seconds:8.2f} {peak:9.0f} {'-':>7} {'-':>7}", flush=True)
    return rows


def data_triplets(R):
    users = np.repeat(np.arange(R.shape[0]), np.diff(R.indptr))
    return users, R.indices, R.data


def run_movielens(path=None) -> dict:
    """The five official folds: ``{model: {"rmse": mean, "rmse_folds": [5], "rmse_std", "fit_s": total}}``."""
    folds = load_movielens_100k_folds(path, download=False)
    externals = {name: factory for name, factory in external_models().items() if name.startswith("surprise")}
    totals: dict[str, list] = {}
    for number, (train, test) in enumerate(folds, start=1):
        R_train = matrix_from_ratings(train)
        for name, factory in RATING_MODELS.items():
            model = factory(train.n_items)
            start = time.perf_counter()  # Surprise's published timings include predicting the fold
            error = rmse(test.ratings, model.fit(R_train).predict(test.user_ids, test.item_ids))
            seconds = time.perf_counter() - start
            totals.setdefault(name, []).append((error, seconds))
            print(f"fold u{number}: {name:>22} RMSE {error:.4f} in {seconds:.2f} s", flush=True)
        for name, factory in externals.items():
            error, seconds = surprise_rmse(factory, (train.user_ids, train.item_ids, train.ratings), (test.user_ids, test.item_ids, test.ratings))
            totals.setdefault(name, []).append((error, seconds))
            print(f"fold u{number}: {name:>22} RMSE {error:.4f} in {seconds:.2f} s (fit only)", flush=True)
    summary = {
        name: {"rmse": float(np.mean([e for e, _ in rows])), "rmse_folds": [float(e) for e, _ in rows],
               "rmse_std": float(np.std([e for e, _ in rows])), "fit_s": float(np.sum([s for _, s in rows]))}
        for name, rows in totals.items()
    }
    print("\nmean RMSE over the five folds, total time")
    for name, row in summary.items():
        error, seconds = row["rmse"], row["fit_s"]
        line = f"{name:>22}: {error:.4f} in {seconds:.1f} s"
        if name in TARGETS:
            reference = SURPRISE_REFERENCE[name]
            verdict = "meets" if error <= TARGETS[name] else "MISSES"
            line += f"  ({verdict} target {TARGETS[name]}; Surprise {reference[0]}: {reference[1]} in {reference[2]} s on 2 cores)"
        print(line)
    return summary


def movielens_figures(summary: dict, ranking: dict) -> dict:
    """The figures of ``recsys_movielens.json``: the five-fold rating table and the ranking table."""
    return {
        "rating": {
            "protocol": "the five official folds u1.base/u1.test ... u5.base/u5.test; mean test RMSE; time = fit + predict, summed over folds",
            "models": summary,
            "targets": TARGETS,
            "surprise_reference": {name: {"algorithm": ref[0], "rmse": ref[1], "seconds": ref[2]} for name, ref in SURPRISE_REFERENCE.items()},
        },
        "ranking": ranking,
    }


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    commands = parser.add_subparsers(dest="command", required=True)
    synthetic = commands.add_parser("synthetic", help="time and peak memory on synthetic data")
    synthetic.add_argument("--sizes", nargs="+", choices=sorted(SIZES), default=["100k", "1m"], help="default: 100k 1m (10m takes minutes)")
    movielens = commands.add_parser("movielens", help="MovieLens-100K: the five official folds (RMSE) and top-10 ranking")
    movielens.add_argument("path", nargs="?", default=None,
                           help="an unpacked ml-100k folder (default: the dataset cache; see `python -m fusionlab.data list`)")
    movielens.add_argument("--seeds", nargs="+", type=int, default=[0, 1, 2], help="splits of the ranking table (default: 0 1 2)")
    movielens.add_argument("--output", type=Path, default=None,
                           help="folder for recsys_movielens.json (default: book/results when the cache is used; "
                                "with PATH, only where this says)")
    grid = commands.add_parser("validate-implicit-als", help="how ImplicitALS's defaults were chosen (validation NDCG@10)")
    grid.add_argument("--data", choices=["movielens", "synthetic"], default="movielens")
    args = parser.parse_args(argv)
    if args.command == "synthetic":
        run_synthetic(args.sizes)
        return 0
    if args.command == "validate-implicit-als":
        data = load_movielens_100k(download=False) if args.data == "movielens" else make_synthetic_ratings(random_state=0)
        validate_implicit_als(data)
        return 0
    load_at_start = os.getloadavg()[0]
    summary = run_movielens(args.path)
    print(f"\nTop-10 ranking, {RANKING_PROTOCOL}")
    ranking = run_ranking(load_movielens_100k(args.path, download=False), seeds=tuple(args.seeds))
    if args.output is not None or args.path is None:
        dataset = dataset_record("movielens-100k", folder=args.path)
        figures = movielens_figures(summary, ranking)
        figures["load_average_1min"] = {"start": load_at_start, "end": os.getloadavg()[0]}  # timings suffer above cpu_count
        record = make_results("recsys_movielens", figures, command=benchmark_command("recsys.py", argv), dataset=dataset)
        print(f"\nResults written to {write_results(record, args.output)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
