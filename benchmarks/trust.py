"""Full-size benchmark for chapters 5.2 and 5.3: interpretability checks and privacy measurements.

    python benchmarks/trust.py                                  # needs CIFAR-10 (see below)
    python benchmarks/trust.py --stand-in --output /tmp/results # the same code path on the digits

Runs, on CIFAR-10 (or the digits stand-in), the measurements the chapters make at classroom
size, larger:

1. DP-SGD: test accuracy and membership-inference AUC against epsilon (1, 2, 4, 8, and no
   privacy), an MLP on images reduced to 8x8 pixels, ``--n-train`` examples; plus an overfit
   non-private model (Adam, ``--overfit-members`` images) as the attack's best case.
2. Federated averaging: rounds to 90% of centralised SGD's best accuracy, IID and Dirichlet
   non-IID clients.
3. The article's CNN trained on ``--cnn-train`` images for ``--cnn-epochs`` epochs (the article:
   50,000 and 10): FGSM and PGD robust accuracy against the radius; the integrated-gradients
   completeness gap against steps; the cascading-randomisation sanity check.

Writes the figures with the run's provenance to ``book/results/trust.json`` (see
:mod:`fusionlab.results`), which chapters 5.2 and 5.3 quote. A stand-in run writes only where
``--output`` says. CIFAR-10 counts as available when the cache holds its verified archive or a
complete extracted ``cifar-10-batches-bin/`` folder (``python -m fusionlab.data list``); fetch it
once with ``python -m fusionlab.data download cifar10``; ``FUSIONLAB_DATA`` moves the cache.
Not part of CI: about 30 minutes on two CPU cores with CIFAR-10.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # run from a checkout without installing

import numpy as np  # noqa: E402

import fusionlab  # noqa: E402
from fusionlab.data import DatasetUnavailable, load_cifar10, load_image_dataset, require_available, resize_images  # noqa: E402
from fusionlab.results import benchmark_command, make_results, run_dataset_record, write_results  # noqa: E402

EPSILONS = (1.0, 2.0, 4.0, 8.0)
DELTA = 1e-5
ATTACK_EPSILONS = (0, 1, 2, 4, 8, 16, 32)  # grey levels of 255


def parse_arguments(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0], formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--stand-in", action="store_true", help="use scikit-learn's digits instead of CIFAR-10, to exercise the code path")
    parser.add_argument("--n-train", type=int, default=10_000, help="examples for DP-SGD, the attack and FedAvg (default 10,000)")
    parser.add_argument("--n-test", type=int, default=5_000)
    parser.add_argument("--dp-epochs", type=int, default=30)
    parser.add_argument("--lot", type=int, default=128, help="expected DP-SGD lot size (default 128)")
    parser.add_argument("--overfit-members", type=int, default=1_000, help="training images of the overfit model (default 1,000)")
    parser.add_argument("--overfit-epochs", type=int, default=100)
    parser.add_argument("--rounds", type=int, default=20, help="FedAvg rounds (default 20)")
    parser.add_argument("--local-batch", type=int, default=50, help="B, the clients' batch size (default 50)")
    parser.add_argument("--local-epochs", type=int, default=5, help="E, local epochs per round (default 5, as in McMahan et al.)")
    parser.add_argument("--cnn-train", type=int, default=50_000, help="CNN training images (the article: 50,000)")
    parser.add_argument("--cnn-epochs", type=int, default=10, help="CNN epochs (the article: 10)")
    parser.add_argument("--n-attack", type=int, default=1_000, help="test images attacked")
    parser.add_argument("--n-explain", type=int, default=8, help="test images in the completeness and sanity checks")
    parser.add_argument("--output", type=Path, default=None,
                        help="folder for the results file trust.json (default: book/results for CIFAR-10; "
                             "a stand-in run writes nothing unless this is given)")
    return parser.parse_args(argv)


def load_data(stand_in: bool):
    if stand_in:
        dataset = load_image_dataset(prefer="digits", verbose=False)
        print(f"Stand-in run on {dataset.describe()}. These are NOT CIFAR-10 numbers.")
        return dataset
    try:
        require_available(["cifar10"])  # a verified archive or a complete extracted folder
    except DatasetUnavailable as missing:
        print(f"CIFAR-10 is not available. {missing}\nPoint FUSIONLAB_DATA at a cache that has it, or exercise "
              "this script without it:\n    python benchmarks/trust.py --stand-in --output /tmp/results", file=sys.stderr)
        raise SystemExit(2) from None
    dataset = load_cifar10(download=False)
    print(f"Using {dataset.describe()}.")
    return dataset


def _reduce(images, side=8):
    return resize_images(images, (side, side, images.shape[3])).reshape(len(images), -1) / np.float32(255)


def dp_and_membership(dataset, arguments):
    """Accuracy and attack AUC against epsilon, and the overfit model's AUC."""
    from fusionlab.models import build_mlp
    from fusionlab.privacy import dp_auc_bound, evaluate_classifier, fit_dp_sgd, membership_attack, noise_multiplier_for_epsilon
    from fusionlab.training import fit

    small = dataset.subset(min(arguments.n_train, len(dataset.y_train)), min(arguments.n_test, len(dataset.y_test)), random_state=0)
    X_train, y_train, X_test, y_test = _reduce(small.X_train), small.y_train, _reduce(small.X_test), small.y_test
    members = np.random.default_rng(0).choice(len(y_train), size=min(len(y_train), len(y_test)), replace=False)
    q = arguments.lot / len(y_train)
    n_steps = arguments.dp_epochs * max(1, round(len(y_train) / arguments.lot))
    rows = []
    for epsilon in (*EPSILONS, None):
        fusionlab.set_seed(0)
        model = build_mlp(X_train.shape[1], dataset.n_classes, hidden_units=(128,))
        sigma = 0.0 if epsilon is None else noise_multiplier_for_epsilon(epsilon, q, n_steps, delta=DELTA)
        start = time.perf_counter()
        result = fit_dp_sgd(model, X_train, y_train, epochs=arguments.dp_epochs, batch_size=arguments.lot,
                            l2_norm_clip=None if epsilon is None else 1.0, noise_multiplier=sigma, learning_rate=0.3, delta=DELTA)
        attack = membership_attack(model, X_train[members], y_train[members], X_test, y_test)
        rows.append({
            "epsilon": "inf" if epsilon is None else round(result.epsilon, 3), "noise_multiplier": round(sigma, 4),
            "test_accuracy": evaluate_classifier(model, X_test, y_test)[1], "attack_auc": attack.auc,
            "attack_advantage": attack.advantage, "auc_bound": dp_auc_bound(np.inf if epsilon is None else epsilon, DELTA),
            "train_time_s": time.perf_counter() - start,
        })
        print(f"DP-SGD epsilon {rows[-1]['epsilon']}: accuracy {rows[-1]['test_accuracy']:.3f}, attack AUC {attack.auc:.3f}", flush=True)
    fusionlab.set_seed(0)
    overfit = build_mlp(X_train.shape[1], dataset.n_classes, hidden_units=(256,), learning_rate=1e-3)
    m = min(arguments.overfit_members, len(y_train))
    history = fit(overfit, X_train[:m], y_train[:m], epochs=arguments.overfit_epochs, batch_size=32, random_state=0)
    attack = membership_attack(overfit, X_train[:m], y_train[:m], X_test, y_test)
    overfit_row = {"n_train": m, "train_accuracy": history["accuracy"][-1], "test_accuracy": evaluate_classifier(overfit, X_test, y_test)[1],
                   "attack_auc": attack.auc, "attack_advantage": attack.advantage}
    print(f"overfit model: attack AUC {attack.auc:.3f}", flush=True)
    setup = {"n_train": len(y_train), "n_test": len(y_test), "image_side": 8, "lot": arguments.lot, "epochs": arguments.dp_epochs,
             "n_steps": n_steps, "sampling_probability": q, "delta": DELTA, "l2_norm_clip": 1.0, "learning_rate": 0.3}
    return {"setup": setup, "rows": rows, "overfit": overfit_row}, (X_train, y_train, X_test, y_test)


def federated(dataset, arrays, arguments):
    """Rounds to 90% of centralised SGD's best accuracy, IID and non-IID."""
    from fusionlab.models import build_mlp
    from fusionlab.privacy import centralised_sgd, client_split, federated_averaging

    X_train, y_train, X_test, y_test = arrays
    settings = dict(validation_data=(X_test, y_test), learning_rate=0.1, random_state=0)
    fusionlab.set_seed(0)
    central = centralised_sgd(build_mlp(X_train.shape[1], dataset.n_classes, hidden_units=(64,)), X_train, y_train,
                              epochs=arguments.rounds, batch_size=arguments.local_batch, **settings)
    target = 0.9 * max(central.history["val_accuracy"])
    results = {"centralised SGD": central}
    for label, alpha in (("FedAvg IID", None), ("FedAvg non-IID alpha 0.1", 0.1)):
        fusionlab.set_seed(0)
        results[label] = federated_averaging(build_mlp(X_train.shape[1], dataset.n_classes, hidden_units=(64,)), X_train, y_train,
                                             client_split(y_train, 10, alpha=alpha, random_state=0), n_rounds=arguments.rounds,
                                             local_epochs=arguments.local_epochs, local_batch_size=arguments.local_batch, **settings)
    summary = {label: {"rounds_to_target": r.rounds_to(target), "final_accuracy": r.history["val_accuracy"][-1],
                       "accuracy_by_round": r.history["val_accuracy"].tolist()} for label, r in results.items()}
    print("FedAvg rounds to target: " + ", ".join(f"{k}: {v['rounds_to_target']}" for k, v in summary.items()), flush=True)
    return {"target_accuracy": target, "n_clients": 10, "local_epochs": arguments.local_epochs, "local_batch_size": arguments.local_batch, "runs": summary}


def cnn_checks(dataset, arguments):
    """Robust accuracy, IG completeness and the sanity check on the article's CNN."""
    from fusionlab.evaluate import accuracy
    from fusionlab.explain import cascading_randomization, completeness_gap, integrated_gradients
    from fusionlab.models import build_seed_cnn
    from fusionlab.privacy import robust_accuracy
    from fusionlab.training import fit

    data = dataset.subset(min(arguments.cnn_train, len(dataset.y_train)), min(arguments.n_test, len(dataset.y_test)), random_state=1)
    to_cnn = lambda images: resize_images(images, (32, 32, 3)) / np.float32(255)  # noqa: E731
    X_train, X_test = to_cnn(data.X_train), to_cnn(data.X_test)
    fusionlab.set_seed(0)
    cnn = build_seed_cnn((32, 32, 3), dataset.n_classes)
    history = fit(cnn, X_train, data.y_train, epochs=arguments.cnn_epochs, batch_size=32, random_state=0)
    clean = accuracy(data.y_test, cnn.predict(X_test, verbose=0).argmax(axis=1))
    print(f"article's CNN: test accuracy {clean:.3f} after {history.train_time_s:.0f} s", flush=True)
    X_attack, y_attack = X_test[:arguments.n_attack], data.y_test[:arguments.n_attack]
    radii = np.array(ATTACK_EPSILONS) / 255
    robust = {"FGSM": robust_accuracy(cnn, X_attack, y_attack, radii, attack="fgsm").tolist(),
              "PGD-10": robust_accuracy(cnn, X_attack, y_attack, radii, attack="pgd", n_steps=10, random_state=0).tolist()}
    print("robust accuracy: " + "; ".join(f"{k}: {', '.join(f'{a:.3f}' for a in v)}" for k, v in robust.items()), flush=True)
    images = X_test[:arguments.n_explain]
    steps = [4, 16, 64, 256]
    gaps = {str(m): completeness_gap(cnn, images, integrated_gradients(cnn, images, n_steps=m)).tolist() for m in steps}
    sanity = cascading_randomization(cnn, images, methods=("gradient", "smoothgrad", "integrated_gradients", "gradient_x_input", "occlusion", "edge_detector"),
                                     method_options={"integrated_gradients": {"n_steps": 32}, "smoothgrad": {"n_samples": 16}, "occlusion": {"patch": 8, "stride": 4}})
    print(sanity.table("signed") + "\n" + sanity.table("absolute"), flush=True)
    return {
        "cnn": {"n_train": len(data.y_train), "epochs": arguments.cnn_epochs, "test_accuracy": clean, "train_time_s": history.train_time_s},
        "robust_accuracy": {"epsilons_255": list(ATTACK_EPSILONS), "n_images": len(y_attack), **robust},
        "ig_completeness_gap": {"n_images": len(images), "rule": "trapezoid", "by_steps": gaps},
        "sanity_check": {metric: {"final_correlation": sanity.final_correlation(metric), "reference": sanity.reference[metric],
                                  "passed": sanity.passed(metric)} for metric in ("absolute", "signed")} | {"margin": sanity.margin},
    }


def results_record(arguments, argv, dataset, figures) -> dict:
    """The run as a :mod:`fusionlab.results` record named ``trust``."""
    return make_results("trust", figures, command=benchmark_command("trust.py", argv),
                        dataset=run_dataset_record("cifar10", dataset if arguments.stand_in else None), extra_packages=("dp-accounting", "shap"))


def main(argv=None) -> int:
    arguments = parse_arguments(argv)
    start, load_at_start = time.perf_counter(), os.getloadavg()[0]
    dataset = load_data(arguments.stand_in)
    dp, arrays = dp_and_membership(dataset, arguments)
    figures = {"dp_sgd": dp["rows"], "dp_setup": dp["setup"], "overfit": dp["overfit"], "federated": federated(dataset, arrays, arguments)}
    figures.update(cnn_checks(dataset, arguments))
    figures["wall_time_s"] = time.perf_counter() - start
    figures["load_average_1min"] = {"start": load_at_start, "end": os.getloadavg()[0]}  # timings suffer above cpu_count
    figures = json.loads(json.dumps(figures, default=lambda value: value.item()))  # NumPy scalars -> JSON numbers
    record = results_record(arguments, argv, dataset, figures)
    if arguments.output is not None or not arguments.stand_in:
        path = write_results(record, arguments.output)
        print(f"wrote {path} after {figures['wall_time_s']:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
