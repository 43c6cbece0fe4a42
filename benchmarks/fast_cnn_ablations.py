"""Full-size ablation of the fast CNN for chapter 4.1: what each ingredient of the recipe buys.

    python benchmarks/fast_cnn_ablations.py             # needs CIFAR-10 in the cache
    python benchmarks/fast_cnn_ablations.py --stand-in --epochs 1 --output /tmp/results   # the code path, on the digits
    python benchmarks/fast_cnn_ablations.py --only "full recipe" --update   # rerun one variant, keep the other rows

Trains :func:`fusionlab.models.build_fast_cnn` with :func:`fusionlab.training.fast_fit` on all
50,000 CIFAR-10 training images for a fixed number of epochs (default 10), once with the whole
recipe and once with each ingredient removed or changed, the seed and everything else unchanged:

- ``whitening``: the first layer random and trained instead of fixed patch-whitening filters;
- ``dirac``: He-uniform kernels instead of convolutions that start as identities;
- ``lookahead``: no averaging of the weights every 5 steps;
- ``bias_lr_scale``: the batch norms' shifts at the same learning rate as the weights (1, not 64);
- ``label_smoothing``: hard targets (0, not 0.2);
- ``translate``: no random crops (shift 0, not 2 pixels);
- ``flip``: no flips in training;
- ``float32``: float32 instead of mixed bfloat16 (on CPUs with native bfloat16; accuracy
  should not move, images per second should);
- ``batch 128``, ``batch 512``: other batch sizes, the learning rate scaled with them;
- test-time flips: every run is evaluated with and without them.

A fixed number of epochs, not a time budget, so that the accuracies do not depend on the load
of the machine; images per second say what each ingredient costs in time. One seed per
variant: differences under about half a point are within run-to-run noise. Writes
``book/results/fast_cnn_ablations.json``, which chapter 4.1 quotes. Eleven runs of 10 epochs
(about 30 minutes on two idle cores). Not part of CI.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run from a checkout without installing

import fusionlab  # noqa: E402
from fusionlab.results import benchmark_command, load_results, make_results, run_dataset_record, write_results  # noqa: E402

# name -> (what changes, build_fast_cnn arguments, fast_fit arguments)
ABLATIONS = {
    "full recipe": ("nothing", {}, {}),
    "whitening": ("no whitening: the first layer random and trained", {}, {}),
    "dirac": ("no identity start: He-uniform convolutions", {"dirac": False}, {}),
    "lookahead": ("no lookahead weight averaging", {}, {"lookahead_every": None}),
    "bias_lr_scale": ("batch-norm shifts at the weights' learning rate", {}, {"bias_lr_scale": 1.0}),
    "label_smoothing": ("no label smoothing", {"label_smoothing": 0.0}, {}),
    "translate": ("no random crops", {}, {"translate": 0}),
    "flip": ("no flips in training", {}, {"flip": False}),
    "float32": ("float32 instead of mixed bfloat16", {"precision": "float32"}, {}),
    "batch 128": ("batch 128, learning rate halved", {"learning_rate": 0.1875}, {"batch_size": 128}),
    "batch 512": ("batch 512, learning rate doubled", {"learning_rate": 0.75}, {"batch_size": 512}),
}


def parse_arguments(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0], formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--stand-in", action="store_true", help="use scikit-learn's digits instead of CIFAR-10, to exercise the code path")
    parser.add_argument("--epochs", type=float, default=10.0, help="epochs per run (default: 10)")
    parser.add_argument("--only", nargs="+", choices=sorted(ABLATIONS), help="run only these variants")
    parser.add_argument("--update", action="store_true",
                        help="replace the rows of the variants run in the existing results file and keep the others "
                             "(e.g. to remeasure images/s of runs slowed by other work; the file lists each update)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--output", type=Path, default=None, help="directory for the results file (default: book/results; required with --stand-in)")
    return parser.parse_args(argv)


def train_variant(name, dataset, *, epochs, seed, flip_images):
    """Train one variant; its row: test accuracy with and without flips, images per second."""
    import keras

    from fusionlab.evaluate import accuracy
    from fusionlab.models import build_fast_cnn, init_whitening
    from fusionlab.training import fast_fit, predict_with_flips

    change, build_options, fit_options = ABLATIONS[name]
    fusionlab.set_seed(seed)
    model = build_fast_cnn(dataset.image_shape, dataset.n_classes, random_state=seed, **build_options)
    init_whitening(model, dataset.X_train, random_state=seed)
    if name == "whitening":  # keep the input normalisation; the 2x2 filters random and trained
        layer = model.get_layer("whiten")
        layer.kernel.assign(keras.initializers.GlorotUniform(seed=seed)(layer.kernel.shape))
        layer.trainable = True
    fit_options = {"flip": flip_images, **fit_options}
    history = fast_fit(model, dataset.X_train, dataset.y_train, n_epochs=epochs, random_state=seed, **fit_options)
    X_test = dataset.X_test.astype("float32") / 255.0
    plain = model.predict(X_test, batch_size=1000, verbose=0)
    flipped = predict_with_flips(model, X_test)
    row = {"variant": name, "change": change, "test_accuracy": accuracy(dataset.y_test, flipped.argmax(axis=1)),
           "test_accuracy_no_test_flips": accuracy(dataset.y_test, plain.argmax(axis=1)), "epochs": float(history.n_epochs),
           "train_s": float(history.train_time_s), "images_per_second": float(history.mean_samples_per_second)}
    print(f"{name:<16} {row['test_accuracy']:6.1%} (no test flips {row['test_accuracy_no_test_flips']:6.1%})  "
          f"{row['train_s']:6.1f} s  {row['images_per_second']:6.0f} images/s", flush=True)
    return row


def main(argv=None) -> int:
    arguments = parse_arguments(argv)
    if arguments.stand_in and arguments.output is None:
        raise SystemExit("--stand-in needs --output: stand-in results never replace book/results/")
    from fusionlab.data import DatasetUnavailable, load_cifar10, load_image_dataset

    try:
        dataset = (load_image_dataset(prefer="digits", stand_in_shape=(32, 32, 3), random_state=arguments.seed) if arguments.stand_in
                   else load_cifar10(download=False))
    except DatasetUnavailable as error:
        raise SystemExit(f"{error}\nTo exercise this script without it:\n"
                         "    python benchmarks/fast_cnn_ablations.py --stand-in --epochs 1 --output /tmp/results") from None
    print(dataset.describe())
    load_at_start, start = os.getloadavg()[0], time.perf_counter()
    earlier = load_results("fast_cnn_ablations", arguments.output) if arguments.update else None
    if earlier is not None and earlier["figures"]["epochs"] != arguments.epochs:
        raise SystemExit(f"--update needs the earlier run's epochs, {earlier['figures']['epochs']}; got --epochs {arguments.epochs}")
    names = arguments.only or list(ABLATIONS)
    rows = {name: train_variant(name, dataset, epochs=arguments.epochs, seed=arguments.seed, flip_images=not arguments.stand_in) for name in names}
    command = benchmark_command("fast_cnn_ablations.py", argv)
    figures = {"n_train": int(len(dataset.y_train)), "n_test": int(len(dataset.y_test)), "epochs": arguments.epochs,
               "wall_time_s": time.perf_counter() - start, "load_average_1min": {"start": load_at_start, "end": os.getloadavg()[0]}}
    if earlier is not None:  # the earlier run's rows, in their order, with the variants just run replaced
        figures = {**earlier["figures"], "updates": [*earlier["figures"].get("updates", []), {"command": command, "variants": names, **figures}]}
        rows = {**{row["variant"]: row for row in earlier["figures"]["rows"]}, **rows}
        command = earlier["command"]
    full = rows.get("full recipe")
    for row in rows.values():
        row["accuracy_change"] = None if full is None else row["test_accuracy"] - full["test_accuracy"]
    figures["rows"] = list(rows.values())
    record = make_results("fast_cnn_ablations", figures, command=command,
                          dataset=run_dataset_record("cifar10", dataset if arguments.stand_in else None))
    print(f"Results written to {write_results(record, arguments.output)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
