"""Larger-size benchmark for chapter 5.4: cost, quantisation, pruning and distillation on CIFAR-10.

    python benchmarks/efficiency.py                   # needs CIFAR-10 in the cache
    python benchmarks/efficiency.py --stand-in --n-train 400 --epochs 1 --output /tmp/results   # the code path on the digits

1. The article's CNN trained on ``--n-train`` CIFAR-10 images (default 10,000, a fifth of the
   training set: a full 50,000-image run of every model below takes hours on two shared CPU
   cores; pass ``--n-train 50000`` where there is time), ``--epochs`` epochs, batch size 64.
2. The teacher (chapter 4.1's improved CNN, one-cycle schedule) on the same images.
3. Distillation: the article's architecture as the student, distilled from the teacher against
   trained on labels alone, same initial weights and shuffles, over ``--seeds`` seeds.
4. Post-training quantisation of the article's model (dynamic-range and full-integer int8),
   and magnitude pruning to 50/80/90% with fine-tuning.
5. One table: params, MACs, bytes, gzipped bytes, latency per image at batch 1 and 256
   (LiteRT interpreter, one thread), accuracy on all 10,000 test images.

Writes ``book/results/efficiency_cifar10.json`` (a stand-in run writes only where ``--output``
says), which chapter 5.4 quotes. Not part of CI.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run from a checkout without installing

import numpy as np  # noqa: E402

import fusionlab  # noqa: E402
from fusionlab.data import availability, load_cifar10, load_image_dataset  # noqa: E402
from fusionlab.results import benchmark_command, make_results, run_dataset_record, write_results  # noqa: E402


def parse_arguments(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0], formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--stand-in", action="store_true", help="use scikit-learn's digits instead of CIFAR-10 (code path only)")
    parser.add_argument("--n-train", type=int, default=10_000, help="training images (default 10,000)")
    parser.add_argument("--epochs", type=int, default=8, help="epochs of every student and of the teacher (default 8)")
    parser.add_argument("--seeds", type=int, default=3, help="seeds of the distillation comparison (default 3)")
    parser.add_argument("--teacher-widths", default="32,64,128", help="filters per stage of the teacher (default 32,64,128)")
    parser.add_argument("--fine-tune-epochs", type=int, default=2, help="fine-tuning epochs per pruning step (default 2)")
    parser.add_argument("--output", type=Path, default=None, help="folder for efficiency_cifar10.json (default: book/results for CIFAR-10)")
    return parser.parse_args(argv)


def load_data(arguments):
    if arguments.stand_in:
        dataset = load_image_dataset(prefer="digits", stand_in_shape=(32, 32, 3), verbose=False)
        print(f"Stand-in run on {dataset.describe()}. These are NOT CIFAR-10 numbers.")
    else:
        found = availability("cifar10")
        if not found.available:
            print(f"CIFAR-10 is not available: {found.reason}\nFetch it with `python -m fusionlab.data download cifar10`, "
                  "or run `python benchmarks/efficiency.py --stand-in` to exercise the code.", file=sys.stderr)
            raise SystemExit(2)
        dataset = load_cifar10(download=False)
    return dataset.subset(min(arguments.n_train, len(dataset.y_train)), None, random_state=0)


def study(arguments, dataset) -> dict:
    """Every measurement of the chapter at the chosen size; returns the figures."""
    from fusionlab.efficiency import (TFLiteModel, convert, distill, efficiency_row, prune_in_steps, runtime_rows,
                                      teacher_log_probabilities, train_teacher)
    from fusionlab.models import build_seed_cnn

    X, y = dataset.X_train.astype("float32") / 255.0, dataset.y_train  # (n, 32, 32, 3) in [0, 1]
    X_test, y_test = dataset.X_test.astype("float32") / 255.0, dataset.y_test
    shape, n_classes = dataset.image_shape, dataset.n_classes
    accuracy = lambda model: float(np.mean(model.predict(X_test, batch_size=512, verbose=0).argmax(axis=1) == y_test))  # noqa: E731
    fusionlab.set_seed(0)
    timer = time.perf_counter()
    widths = tuple(int(w) for w in arguments.teacher_widths.split(","))
    teacher, _ = train_teacher(X, y, epochs=arguments.epochs, widths=widths, flip=not arguments.stand_in)
    teacher_s = time.perf_counter() - timer
    log_probs = teacher_log_probabilities(teacher, X)
    students = {"labels only": [], "distilled": []}
    models = {}
    for seed in range(arguments.seeds):
        for kind, targets in (("labels only", None), ("distilled", log_probs)):
            student = build_seed_cnn(shape, n_classes, name=f"student_{kind.replace(' ', '_')}_{seed}")
            distill(student, X, y, targets, epochs=arguments.epochs, random_state=seed)
            students[kind].append(accuracy(student))
            models.setdefault(kind, student)  # seed 0 of each kind goes into the table
            print(f"seed {seed} {kind:>12}: {students[kind][-1]:.1%}", flush=True)
    seed_model = models["labels only"]
    tflite = {mode: TFLiteModel(convert(seed_model, mode, representative_images=X[:500])) for mode in ("float", "dynamic", "int8")}
    pruned = prune_in_steps(seed_model, X, y, epochs=arguments.fine_tune_epochs)
    rows = {"article's CNN": efficiency_row(seed_model, tflite["float"], X_test, y_test),
            "improved CNN (teacher)": efficiency_row(teacher, TFLiteModel(convert(teacher)), X_test, y_test),
            "article's CNN, dynamic-range": efficiency_row(seed_model, tflite["dynamic"], X_test, y_test),
            "article's CNN, int8": efficiency_row(seed_model, tflite["int8"], X_test, y_test)}
    for level, (model, _) in pruned.items():
        rows[f"article's CNN, {level:.0%} pruned"] = efficiency_row(model, TFLiteModel(convert(model)), X_test, y_test)
    rows["distilled student"] = efficiency_row(models["distilled"], TFLiteModel(convert(models["distilled"])), X_test, y_test)
    runtimes = runtime_rows(seed_model, {f"TFLite {mode}": model for mode, model in tflite.items()}, X_test, y_test)
    summary = {kind: {"mean": float(np.mean(values)), "std": float(np.std(values, ddof=1)) if len(values) > 1 else 0.0,
                      "accuracies": values} for kind, values in students.items()}
    return {"n_train": int(len(y)), "n_test": int(len(y_test)), "epochs": arguments.epochs, "seeds": arguments.seeds,
            "teacher_widths": list(widths), "teacher_train_s": teacher_s, "rows": rows, "runtimes": runtimes,
            "distillation": summary, "distillation_gain": summary["distilled"]["mean"] - summary["labels only"]["mean"]}


def main(argv=None) -> int:
    arguments = parse_arguments(argv)
    dataset = load_data(arguments)
    load_at_start = os.getloadavg()[0]
    import tensorflow as tf

    tf.get_logger().setLevel("ERROR")
    figures = study(arguments, dataset)
    figures["load_average_1min"] = {"start": load_at_start, "end": os.getloadavg()[0]}
    from fusionlab.efficiency import format_efficiency_table

    print(format_efficiency_table(figures["rows"]), format_efficiency_table(figures["runtimes"]), sep="\n\n")
    print({kind: (round(s["mean"], 4), round(s["std"], 4)) for kind, s in figures["distillation"].items()})
    record = make_results("efficiency_cifar10", figures, command=benchmark_command("efficiency.py", argv),
                          dataset=run_dataset_record("cifar10", dataset if arguments.stand_in else None), extra_packages=("ai-edge-litert",))
    if arguments.output is not None or not arguments.stand_in:
        print(f"Results written to {write_results(record, arguments.output)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
