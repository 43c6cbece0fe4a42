"""Recommenders at the frontier of MovieLens-100K (issue 16): rating RMSE, top-10 ranking, speed.

Three sections, each runnable alone; each adds its figures to one JSON file,
``book/results/recsys_frontier.json`` (``--output`` names another folder)::

    # RMSE on the five official folds (u1.base/u1.test ... u5): our models, their blend,
    # Surprise's SVD and KNNBaseline when installed; plus the validation run on u1.base that
    # chose the autoencoder's number of epochs
    python benchmarks/recsys_frontier.py rating /path/to/ml-100k

    # NDCG@10 etc. on the microsoft/recommenders protocol: a per-user random 75/25 split,
    # every rating an interaction, seen items removed; every default chosen on a validation
    # split of the training part, the test split scored once
    python benchmarks/recsys_frontier.py ranking /path/to/ml-100k

    # speed: SGD-MF against Surprise's SVD (equal factors and epochs), implicit ALS (its
    # conjugate-gradient solver, and with --solvers cg cholesky the exact one too) against the
    # implicit package (equal factors) on the 10M synthetic set
    python benchmarks/recsys_frontier.py speed /path/to/ml-100k --sizes 10m --solvers cg

Timings are wall-clock seconds and, beside them, the process's CPU seconds (all threads): on
a shared machine the wall clock is inflated by other work, so each section also records the
load average before and after. Surprise and implicit are optional (``pip install
scikit-surprise implicit``); without them their rows are skipped with a note.
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import statistics
import sys
import time
from pathlib import Path

import numpy as np
import scipy.sparse as sp

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from fusionlab.data import load_movielens_100k, load_movielens_100k_folds, make_synthetic_ratings  # noqa: E402
from fusionlab.recsys import (  # noqa: E402
    ALSMF,
    BiasedMF,
    ImplicitALS,
    ItemKNN,
    Popularity,
    matrix_from_ratings,
    random_split,
    ranking_report,
    ratings_matrix,
    rmse,
)
from fusionlab.recsys._kernels import numba_enabled  # noqa: E402
from fusionlab.recsys.autoencoder import KernelAutoRec  # noqa: E402
from fusionlab.recsys.blend import BlendRecommender  # noqa: E402
from fusionlab.recsys.ease import EASE  # noqa: E402
from fusionlab.results import dataset_record, load_results, make_results, write_results  # noqa: E402
from recsys import surprise_trainset  # noqa: E402 (benchmarks/recsys.py)

DEFAULT_OUTPUT = ROOT / "book" / "results"
#: Published NDCG@10 on the microsoft/recommenders MovieLens-100K benchmark (their notebook).
PUBLISHED_NDCG = {"BPR (cornac)": 0.442, "NCF": 0.399, "SAR": 0.388}
#: Published u1.test RMSE of the frontier models.
PUBLISHED_U1_RMSE = {"GC-MC (Berg et al. 2017)": 0.905, "Sparse FC (Muller et al. 2018)": 0.895, "GLocal-K (Han et al. 2021)": 0.889}
TARGETS = {"u1_rmse": 0.90, "mean_rmse": 0.90, "rating_fit_s": 180.0, "ndcg@10": 0.50, "ranking_fit_s": 60.0}
#: Grids searched on the ranking validation split (small: every point is a full fit).
EASE_L2_GRID = (100.0, 200.0, 300.0, 500.0, 800.0, 1200.0)
#: Implicit ALS's inputs: every interaction 1 ("binary"), or its stars over the mean star of the
#: matrix ("rating"), so that the confidence 1 + alpha * value grows with the strength of the
#: observation, as in Hu, Koren & Volinsky's own formulation.
IALS_WEIGHTINGS = ("binary", "rating")
IALS_GRID = [(weighting, 64, reg, alpha) for weighting in IALS_WEIGHTINGS for reg in (15.0, 30.0, 60.0) for alpha in (1.0, 2.0, 4.0)]
#: The second, finer stage of the search: the best coarse (reg, alpha) times these factors.
IALS_REFINE = (2 ** -0.5, 1.0, 2 ** 0.5)
BLEND_GRID = (0.0, 0.25, 0.5, 0.75, 1.0)


# -- bookkeeping ----------------------------------------------------------------------------------
def _timed(job):
    """Run ``job()``; return (its value, wall seconds, CPU seconds of this process)."""
    wall, cpu = time.perf_counter(), time.process_time()
    value = job()
    return value, time.perf_counter() - wall, time.process_time() - cpu


def _load() -> list[float]:
    return [round(value, 2) for value in os.getloadavg()]


#: The name of the results file (``book/results/recsys_frontier.json``).
RESULTS_NAME = "recsys_frontier"
#: What reruns the benchmark: one section at a time (each section's own command is in its figures).
COMMAND = "python benchmarks/recsys_frontier.py {rating,ranking,speed} /path/to/ml-100k"


def write_section(section: str, figures: dict, path, directory, argv) -> dict:
    """Merge one section's figures into ``DIRECTORY/recsys_frontier.json`` (the
    :mod:`fusionlab.results` schema; the other sections are kept) and write it."""
    directory = Path(directory)
    previous = load_results(RESULTS_NAME, directory)["figures"] if (directory / f"{RESULTS_NAME}.json").exists() else {}
    command = "python benchmarks/recsys_frontier.py " + " ".join("ml-100k/" if arg == str(path) else arg for arg in argv)
    record = make_results(RESULTS_NAME, {**previous, section: {**figures, "command": command}}, command=COMMAND,
                          dataset=dataset_record("movielens-100k", folder=path), extra_packages=("numba", "scikit-surprise", "implicit"))
    print(f"wrote {write_results(record, directory)} (section {section!r})")
    return record


# -- rating prediction ----------------------------------------------------------------------------
BLEND = "blend: AutoRec + MF + item/user kNN"
#: The blend's members, refitted on each whole training fold, are scored as models of their own.
MEMBER_NAMES = {"kernel_autorec": "kernel AutoRec", "biased_mf": "MF (SGD)", "item_knn": "item kNN (baseline)", "user_knn": "user kNN (baseline)"}


def rating_models(random_state: int = 0) -> dict:
    """The rating models compared on the folds (fresh, unfitted). The blend's members
    (:func:`fusionlab.recsys.blend.default_blend_estimators`) are scored from the blend."""
    return {
        "MF (ALS)": ALSMF(random_state=random_state),
        BLEND: BlendRecommender(random_state=random_state),
    }


def summarise_folds(per_fold: dict) -> dict:
    """Mean RMSE over the folds (when all five ran), u1's RMSE, median fit times."""
    summary = {}
    for name, rows in per_fold.items():
        errors = [row["rmse"] for row in rows.values()]
        cpu = [row["fit_cpu_s"] for row in rows.values() if row.get("fit_cpu_s") is not None]
        summary[name] = {"mean_rmse": float(np.mean(errors)) if len(errors) == 5 else None, "u1_rmse": rows.get("u1", {}).get("rmse"),
                         "median_fit_s": statistics.median(row["fit_s"] for row in rows.values()),
                         "median_fit_cpu_s": statistics.median(cpu) if cpu else None}
    return summary


def _surprise_rmse(name, train, test):
    from surprise import SVD, KNNBaseline

    algorithm = SVD(random_state=0) if name == "SVD" else KNNBaseline(sim_options={"name": "pearson_baseline", "user_based": False}, verbose=False)
    trainset = surprise_trainset(train.user_ids, train.item_ids, train.ratings)
    _, wall, cpu = _timed(lambda: algorithm.fit(trainset))
    predictions = np.array([algorithm.predict(str(u), str(i)).est for u, i in zip(test.user_ids, test.item_ids)])
    return rmse(test.ratings, predictions), wall, cpu


def validate_autorec(train, *, n_epochs: int = 60, every: int = 5, random_state: int = 0) -> dict:
    """The validation run behind KernelAutoRec's default ``n_epochs``: u1.base split 90/10 at
    random, the autoencoder trained on the 90% and scored on the 10% every ``every`` epochs
    (and, for scale, SGD-MF and item kNN on the same split)."""
    fit_index, held = random_split(len(train), test_size=0.1, random_state=0)
    R = matrix_from_ratings(train, fit_index)
    users, items, ratings = train.user_ids[held], train.item_ids[held], train.ratings[held]
    X = np.asarray(R.T.todense())
    curve = []

    class Monitored(KernelAutoRec):
        def _epoch_end(self, epoch, flat):
            if (epoch + 1) % every == 0:
                from fusionlab.recsys.autoencoder import autorec_forward, init_autorec_params

                shapes = [p.shape for p in init_autorec_params(R.shape[0], self.n_hidden, self.n_layers, self.n_dim, np.random.default_rng(0))]
                reconstruction, kernels = autorec_forward(self._unflatten(flat, shapes), X)
                error = rmse(ratings, np.clip(reconstruction.T[users, items], 1, 5))
                curve.append({"epoch": epoch + 1, "validation_rmse": error, "density": [float(np.mean(K > 0)) for K in kernels]})
                print(f"  validation: epoch {epoch + 1:3d} RMSE {error:.4f}", flush=True)

    Monitored(n_epochs=n_epochs, random_state=random_state).fit(R)
    others = {}
    for name, model in [("MF (SGD)", BiasedMF(random_state=0)), ("item kNN (baseline)", ItemKNN())]:
        others[name] = rmse(ratings, model.fit(R).predict(users, items))
    return {"split": "u1.base, random 90/10 (random_split seed 0)", "autorec_curve": curve, "others": others}


def run_rating(path, folds=(1, 2, 3, 4, 5), validate: bool = True) -> dict:
    all_folds = load_movielens_100k_folds(path, download=False)
    figures = {"load_before": _load(), "published_u1": PUBLISHED_U1_RMSE, "targets": TARGETS, "numba": numba_enabled()}
    if validate:
        print("validation on u1.base (90/10):")
        figures["validation"] = validate_autorec(all_folds[0][0])
    externals = ["SVD", "KNNBaseline"] if importlib.util.find_spec("surprise") else []
    if not externals:
        print("note: scikit-surprise is not installed; its SVD and KNNBaseline are skipped.")
    per_fold = {}
    for number in folds:
        train, test = all_folds[number - 1]
        R = matrix_from_ratings(train)
        for name, model in rating_models().items():
            _, wall, cpu = _timed(lambda: model.fit(R))
            error = rmse(test.ratings, model.predict(test.user_ids, test.item_ids))
            row = {"rmse": error, "fit_s": wall, "fit_cpu_s": cpu}
            if isinstance(model, BlendRecommender):
                row.update(weights=dict(zip([n for n, _ in model.estimators_], model.weights_.tolist())), intercept=model.intercept_,
                           holdout_rmse=model.holdout_rmse_, member_fit_s=model.fit_times_s_, member_holdout_fit_s=model.holdout_fit_times_s_)
                for member, fitted in model.estimators_:
                    member_error = rmse(test.ratings, fitted.predict(test.user_ids, test.item_ids))
                    label = MEMBER_NAMES.get(member, member)
                    per_fold.setdefault(label, {})[f"u{number}"] = {"rmse": member_error, "fit_s": model.fit_times_s_[member], "fit_cpu_s": None}
                    print(f"u{number}: {label:>36} RMSE {member_error:.4f}  fit {model.fit_times_s_[member]:6.1f} s wall (member of the blend)", flush=True)
            per_fold.setdefault(name, {})[f"u{number}"] = row
            print(f"u{number}: {name:>36} RMSE {error:.4f}  fit {wall:6.1f} s wall, {cpu:6.1f} s CPU  (load {_load()[0]})", flush=True)
        for name in externals:
            error, wall, cpu = _surprise_rmse(name, train, test)
            per_fold.setdefault(f"surprise {name}", {})[f"u{number}"] = {"rmse": error, "fit_s": wall, "fit_cpu_s": cpu}
            print(f"u{number}: {'surprise ' + name:>36} RMSE {error:.4f}  fit {wall:6.1f} s wall", flush=True)
    summary = summarise_folds(per_fold)
    figures.update(per_fold=per_fold, summary=summary, load_after=_load())
    print("\nmodel                                  u1 RMSE  mean RMSE  median fit s (CPU s)")
    for name, row in summary.items():
        mean = "-" if row["mean_rmse"] is None else f"{row['mean_rmse']:.4f}"
        u1 = "-" if row["u1_rmse"] is None else f"{row['u1_rmse']:.4f}"
        cpu = "-" if row["median_fit_cpu_s"] is None else f"{row['median_fit_cpu_s']:.1f}"
        print(f"{name:>36}  {u1:>7}  {mean:>9}  {row['median_fit_s']:7.1f} ({cpu})")
    return figures


# -- top-10 ranking -------------------------------------------------------------------------------
def stratified_split(user_ids, ratio: float = 0.75, random_state=42):
    """Per-user random split: each user keeps ``round(ratio * n_u)`` interactions in train.

    The protocol of microsoft/recommenders' ``python_stratified_split`` (its own random
    numbers differ, so the split is the same in law, not in draw).

    Returns
    -------
    train_index, test_index : ndarray of int64, sorted
    """
    users = np.asarray(user_ids, dtype=np.int64)
    rng = np.random.default_rng(random_state)
    order = np.lexsort((rng.random(users.size), users))  # users grouped, random order inside
    sorted_users = users[order]
    starts = np.flatnonzero(np.r_[True, sorted_users[1:] != sorted_users[:-1]])
    counts = np.diff(np.r_[starts, users.size])
    rank = np.arange(users.size) - np.repeat(starts, counts)
    in_train = rank < np.repeat(np.rint(ratio * counts).astype(np.int64), counts)
    return np.sort(order[in_train]), np.sort(order[~in_train])


def _binary(data, index):
    return _interactions(data, index, "binary")


def _interactions(data, index, weighting):
    """The users x items matrix of the ratings ``index``: 1 per rating, or its stars over their mean."""
    stars = np.asarray(data.ratings, dtype=np.float64)[index]
    values = np.ones(index.size) if weighting == "binary" else stars / stars.mean()
    return ratings_matrix(data.user_ids[index], data.item_ids[index], values, shape=(data.n_users, data.n_items))


def _zscore(scores, seen, fill=-np.inf):
    """Per-user standardised scores over the unseen items (seen ones become ``fill``)."""
    scores = np.array(scores, dtype=np.float64)
    scores[seen.nonzero()] = np.nan
    scores = (scores - np.nanmean(scores, axis=1, keepdims=True)) / (np.nanstd(scores, axis=1, keepdims=True) + 1e-12)
    return np.nan_to_num(scores, nan=fill)


def _full_scores(model, n_users):
    return np.asarray(model._score_users(np.arange(n_users)), dtype=np.float64)


def _ranking_metrics(scores, X_train, X_test, k: int = 10) -> dict:
    scores = np.array(scores, dtype=np.float64)
    scores[X_train.nonzero()] = -np.inf
    users = np.flatnonzero(np.diff(X_test.indptr) > 0)
    top = np.argsort(-scores[users], axis=1, kind="stable")[:, :k]
    report = ranking_report(top, X_test[users], k, n_items=X_train.shape[1])
    return {key: float(value) if isinstance(value, float) else value for key, value in report.items()}


def fusion_scores(ease_model, als_model, X, weight):
    """The ranking fusion: ``(1 - weight) z(EASE) + weight z(iALS)``, per-user z-scores."""
    fused = (1 - weight) * _zscore(_full_scores(ease_model, X.shape[0]), X, fill=0.0) + weight * _zscore(_full_scores(als_model, X.shape[0]), X, fill=0.0)
    fused[X.nonzero()] = -np.inf
    return fused


def _ials(factors, reg, alpha):
    return ImplicitALS(n_factors=factors, reg=reg, alpha=alpha, n_epochs=10, random_state=0)


def _ials_label(weighting, factors, reg, alpha):
    return f"{weighting} factors={factors} reg={reg:g} alpha={alpha:g}"


VALIDATED_IALS = "implicit ALS (validated)"
BINARY_IALS = "implicit ALS (validated, 0/1 inputs)"


def ranking_models(best_l2, best_ials, best_binary) -> dict:
    """name -> factory of the ranking models scored on the test split.

    ``best_ials`` and ``best_binary`` are ``(weighting, factors, reg, alpha)``: the validated
    implicit ALS, and the best one on 0/1 inputs (listed when it is not the same)."""
    from fusionlab.recsys.neural import NeuMF

    return {
        "popularity": lambda: Popularity(),
        "implicit ALS (course defaults)": lambda: ImplicitALS(random_state=0),
        VALIDATED_IALS: lambda: _ials(*best_ials[1:]),  # fitted on the inputs of best_ials[0]
        **({} if best_binary == best_ials else {BINARY_IALS: lambda: _ials(*best_binary[1:])}),
        "NeuMF (course defaults)": lambda: NeuMF(random_state=0),
        "EASE (validated)": lambda: EASE(l2=best_l2),
    }


def summarise_splits(per_split: dict) -> dict:
    """``{"seed 0": {model: ndcg}, ...}`` -> ``{"n_splits": n, model: {"mean", "min", "max"}}``."""
    names = next(iter(per_split.values()), {})
    return {"n_splits": len(per_split), **{name: {stat: float(reduce([row[name] for row in per_split.values()]))
                                                  for stat, reduce in (("mean", np.mean), ("min", np.min), ("max", np.max))} for name in names}}


def run_ranking(path, k: int = 10, seeds=(42, 0, 1, 2, 3)) -> dict:
    data = load_movielens_100k(path, download=False)
    figures = {"load_before": _load(), "protocol": "per-user random 75/25 split (seed 42), every rating an interaction, seen items removed, "
               "NDCG@10 with binary relevance over test users", "published": PUBLISHED_NDCG, "targets": TARGETS}
    train, test = stratified_split(data.user_ids, 0.75, seeds[0])
    X_train, X_test = _binary(data, train), _binary(data, test)
    # validation: the same protocol applied again to the training part
    fit_part, held = stratified_split(data.user_ids[train], 0.75, random_state=1)
    X_fit, X_val = _binary(data, train[fit_part]), _binary(data, train[held])
    validation = {"ease_l2": {}, "ials": {}, "fusion_weight": {}}
    ease_scores = {l2: _ranking_metrics(_full_scores(EASE(l2=l2).fit(X_fit), X_fit.shape[0]), X_fit, X_val, k)[f"ndcg@{k}"] for l2 in EASE_L2_GRID}
    validation["ease_l2"] = {str(l2): score for l2, score in ease_scores.items()}  # JSON keys are strings
    best_l2 = max(ease_scores, key=ease_scores.get)
    start = time.perf_counter()
    W_fit = {weighting: _interactions(data, train[fit_part], weighting) for weighting in IALS_WEIGHTINGS}

    def validate_ials(config):
        weighting, factors, reg, alpha = config
        score = _ranking_metrics(_full_scores(_ials(factors, reg, alpha).fit(W_fit[weighting]), X_fit.shape[0]), X_fit, X_val, k)[f"ndcg@{k}"]
        validation["ials"][_ials_label(*config)] = score
        print(f"  validation iALS {_ials_label(*config)}: NDCG@{k} {score:.4f}", flush=True)
        return score

    # two stages: the coarse grid, then the best point's neighbours at factors of sqrt(2)
    scores = {config: validate_ials(config) for config in IALS_GRID}
    weighting, factors, reg, alpha = max(scores, key=scores.get)
    for config in [(weighting, factors, reg * a, alpha * b) for a in IALS_REFINE for b in IALS_REFINE if (a, b) != (1.0, 1.0)]:
        scores[config] = validate_ials(config)  # the centre is the coarse point itself, already scored
    best_ials = max(scores, key=scores.get)
    best_binary = max((config for config in scores if config[0] == "binary"), key=scores.get)
    ease_fit, als_fit = EASE(l2=best_l2).fit(X_fit), _ials(*best_ials[1:]).fit(W_fit[best_ials[0]])
    fusion = {weight: _ranking_metrics(fusion_scores(ease_fit, als_fit, X_fit, weight), X_fit, X_val, k)[f"ndcg@{k}"] for weight in BLEND_GRID}
    validation["fusion_weight"] = {str(weight): score for weight, score in fusion.items()}
    best_weight = max(fusion, key=fusion.get)
    chosen = {"ease_l2": best_l2, "ials": dict(zip(("weighting", "n_factors", "reg", "alpha"), best_ials)), "fusion_weight": best_weight}
    print(f"chosen on validation: {chosen}")
    figures.update(validation=validation, chosen=chosen, search_s=time.perf_counter() - start,
                   search="EASE: its l2 grid; implicit ALS: the coarse grid of inputs x reg x alpha, then the best point's "
                          "reg and alpha times 2^-1/2, 1, 2^1/2; the fusion weight last, for the chosen pair")

    models = ranking_models(best_l2, best_ials, best_binary)
    test_rows = {}
    fitted = {}
    W_train = _interactions(data, train, best_ials[0])
    for name, factory in models.items():
        X_in = W_train if name == VALIDATED_IALS else X_train
        model, wall, cpu = _timed(lambda: factory().fit(X_in))
        fitted[name] = model
        row = _ranking_metrics(_full_scores(model, X_train.shape[0]), X_train, X_test, k)
        test_rows[name] = {**row, "fit_s": wall, "fit_cpu_s": cpu}
        print(f"{name:>34}: NDCG@{k} {row[f'ndcg@{k}']:.4f}  P@{k} {row[f'precision@{k}']:.4f}  fit {wall:5.1f} s", flush=True)
    fusion_wall = test_rows["EASE (validated)"]["fit_s"] + test_rows[VALIDATED_IALS]["fit_s"]
    fusion_cpu = test_rows["EASE (validated)"]["fit_cpu_s"] + test_rows[VALIDATED_IALS]["fit_cpu_s"]
    row = _ranking_metrics(fusion_scores(fitted["EASE (validated)"], fitted[VALIDATED_IALS], X_train, best_weight), X_train, X_test, k)
    test_rows["fusion: EASE + implicit ALS"] = {**row, "fit_s": fusion_wall, "fit_cpu_s": fusion_cpu}
    print(f"{'fusion: EASE + implicit ALS':>34}: NDCG@{k} {row[f'ndcg@{k}']:.4f}  fit {fusion_wall:5.1f} s")
    robustness = {}
    for seed in seeds[1:]:  # the validated defaults on other draws of the split (never re-tuned)
        tr, te = stratified_split(data.user_ids, 0.75, seed)
        Xtr, Xte = _binary(data, tr), _binary(data, te)
        ease, als = EASE(l2=best_l2).fit(Xtr), _ials(*best_ials[1:]).fit(_interactions(data, tr, best_ials[0]))
        robustness[f"seed {seed}"] = {
            "EASE": _ranking_metrics(_full_scores(ease, Xtr.shape[0]), Xtr, Xte, k)[f"ndcg@{k}"],
            "implicit ALS": _ranking_metrics(_full_scores(als, Xtr.shape[0]), Xtr, Xte, k)[f"ndcg@{k}"],
            "fusion": _ranking_metrics(fusion_scores(ease, als, Xtr, best_weight), Xtr, Xte, k)[f"ndcg@{k}"],
        }
        if best_binary != best_ials:
            binary = _ials(*best_binary[1:]).fit(Xtr)
            robustness[f"seed {seed}"]["implicit ALS, 0/1 inputs"] = _ranking_metrics(_full_scores(binary, Xtr.shape[0]), Xtr, Xte, k)[f"ndcg@{k}"]
        print(f"split seed {seed}: {robustness[f'seed {seed}']}")
    figures.update(test=test_rows, other_split_seeds=robustness, load_after=_load(),
                   other_split_seeds_summary=summarise_splits(robustness))
    return figures


# -- speed ------------------------------------------------------------------------------------------
def _median_time(job, repeats: int):
    runs = [_timed(job)[1:] for _ in range(repeats)]
    return statistics.median(r[0] for r in runs), statistics.median(r[1] for r in runs), [r[0] for r in runs]


#: ImplicitALS solvers timed against ``implicit`` (the default first).
SOLVERS = ("cg", "cholesky")


def run_speed(path, sizes=("10m",), repeats: int = 3, n_factors: int = 100, n_epochs: int = 20, solvers=SOLVERS) -> dict:
    figures = {"load_before": _load(), "repeats": repeats}
    train, _ = load_movielens_100k_folds(path, download=False)[0]
    R = matrix_from_ratings(train)
    BiasedMF(n_factors=2, n_epochs=1, batch_size=1).fit(R)  # compile (and cache) the kernel outside the timing
    sgd = {"data": "u1.base (80,000 ratings)", "n_factors": n_factors, "n_epochs": n_epochs}
    variants = {"fusionlab BiasedMF, Numba, batch 1024 (default)": ({"FUSIONLAB_NUMBA": "1"}, 1024),
                "fusionlab BiasedMF, Numba, batch 1 (sequential, as Surprise)": ({"FUSIONLAB_NUMBA": "1"}, 1),
                "fusionlab BiasedMF, NumPy, batch 1024 (before)": ({"FUSIONLAB_NUMBA": "0"}, 1024)}
    for name, (env, batch_size) in variants.items():
        old = os.environ.get("FUSIONLAB_NUMBA")
        os.environ.update(env)
        try:
            wall, cpu, runs = _median_time(lambda: BiasedMF(n_factors=n_factors, n_epochs=n_epochs, batch_size=batch_size, random_state=0).fit(R), repeats)
        finally:
            os.environ.pop("FUSIONLAB_NUMBA") if old is None else os.environ.update(FUSIONLAB_NUMBA=old)
        sgd[name] = {"fit_s": wall, "fit_cpu_s": cpu, "runs_s": runs}
        print(f"SGD-MF {name:>58}: {wall:6.2f} s (CPU {cpu:.2f} s)", flush=True)
    if importlib.util.find_spec("surprise"):
        from surprise import SVD

        trainset = surprise_trainset(train.user_ids, train.item_ids, train.ratings)
        wall, cpu, runs = _median_time(lambda: SVD(n_factors=n_factors, n_epochs=n_epochs, random_state=0).fit(trainset), repeats)
        sgd["surprise SVD"] = {"fit_s": wall, "fit_cpu_s": cpu, "runs_s": runs}
        print(f"SGD-MF {'surprise SVD':>58}: {wall:6.2f} s (CPU {cpu:.2f} s)", flush=True)
        for name in variants:  # CPU seconds: the fair ratio on a shared machine (both run on one thread)
            sgd[name]["surprise_cpu_s_over_this"] = cpu / sgd[name]["fit_cpu_s"]
    else:
        print("note: scikit-surprise is not installed; the SGD-MF comparison has no reference.")
    figures["sgd_mf"] = sgd
    shapes = {"100k": (943, 1_682, 100_000), "1m": (6_040, 3_706, 1_000_000), "10m": (69_878, 10_677, 10_000_000)}
    als_rows = {}
    for size in sizes:
        data = make_synthetic_ratings(*shapes[size], random_state=0)
        X = ratings_matrix(data.user_ids, data.item_ids, np.ones(len(data)), shape=(data.n_users, data.n_items))
        del data
        for solver in solvers:
            ImplicitALS(n_factors=4, n_epochs=1, solver=solver).fit(X[:100])  # compile outside the timing
        row = {"n_ratings": int(X.nnz), "n_factors": 32}
        for solver in solvers:
            for epochs in (1, 3):  # per iteration = the difference, so set-up costs cancel
                wall, cpu, _ = _median_time(lambda: ImplicitALS(n_factors=32, n_epochs=epochs, solver=solver, random_state=0).fit(X), 1)
                row[f"fusionlab_{solver}_{epochs}_epochs_s"], row[f"fusionlab_{solver}_{epochs}_epochs_cpu_s"] = wall, cpu
            for unit in ("s", "cpu_s"):
                row[f"fusionlab_{solver}_per_iteration_{unit}"] = (row[f"fusionlab_{solver}_3_epochs_{unit}"] - row[f"fusionlab_{solver}_1_epochs_{unit}"]) / 2
            print(f"implicit ALS {size}: fusionlab ({solver}) {row[f'fusionlab_{solver}_per_iteration_s']:.2f} s per iteration", flush=True)
        if importlib.util.find_spec("implicit"):
            from implicit.cpu.als import AlternatingLeastSquares

            Xf = sp.csr_matrix(X, dtype=np.float32)
            for epochs in (1, 3):
                wall, cpu, _ = _median_time(lambda: AlternatingLeastSquares(factors=32, iterations=epochs, random_state=0).fit(Xf, show_progress=False), 1)
                row[f"implicit_{epochs}_epochs_s"], row[f"implicit_{epochs}_epochs_cpu_s"] = wall, cpu
            for unit in ("s", "cpu_s"):
                row[f"implicit_per_iteration_{unit}"] = (row[f"implicit_3_epochs_{unit}"] - row[f"implicit_1_epochs_{unit}"]) / 2
            for solver in solvers:  # fusionlab's time over implicit's: wall clock, and CPU (fairer on a shared machine)
                row[f"ratio_{solver}"] = row[f"fusionlab_{solver}_per_iteration_s"] / row["implicit_per_iteration_s"]
                row[f"cpu_ratio_{solver}"] = row[f"fusionlab_{solver}_per_iteration_cpu_s"] / row["implicit_per_iteration_cpu_s"]
            print(f"implicit ALS {size}: implicit {row['implicit_per_iteration_s']:.2f} s per iteration; "
                  + ", ".join(f"{solver} ratio {row[f'ratio_{solver}']:.2f} (CPU {row[f'cpu_ratio_{solver}']:.2f})" for solver in solvers), flush=True)
        als_rows[size] = row
    figures.update(implicit_als=als_rows, load_after=_load())
    return figures


def main(argv=None) -> int:
    argv = sys.argv[1:] if argv is None else list(argv)
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("section", choices=["rating", "ranking", "speed"])
    parser.add_argument("path", help="an unpacked ml-100k folder")
    parser.add_argument("--folds", nargs="+", type=int, default=[1, 2, 3, 4, 5], help="rating: which official folds (default all five)")
    parser.add_argument("--no-validate", action="store_true", help="rating: skip the validation run on u1.base")
    parser.add_argument("--sizes", nargs="*", default=["10m"], choices=["100k", "1m", "10m"], help="speed: synthetic sizes for implicit ALS")
    parser.add_argument("--solvers", nargs="+", default=list(SOLVERS), choices=list(SOLVERS), help="speed: ImplicitALS solvers timed against implicit (default both)")
    parser.add_argument("--repeats", type=int, default=3, help="speed: runs per SGD timing (the median is kept)")
    parser.add_argument("--output", default=str(DEFAULT_OUTPUT), help="the folder of recsys_frontier.json (default book/results)")
    args = parser.parse_args(argv)
    if args.section == "rating":
        figures = run_rating(args.path, tuple(args.folds), validate=not args.no_validate)
    elif args.section == "ranking":
        figures = run_ranking(args.path)
    else:
        figures = run_speed(args.path, tuple(args.sizes), args.repeats, solvers=tuple(args.solvers))
    write_section(args.section, figures, args.path, args.output, argv)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
