"""`benchmark live` and `benchmark digits` (kept apart from the recognition benchmarks)."""

from __future__ import annotations

import argparse
from pathlib import Path

from attendance_app.cli.context import CliContext
from attendance_app.cli.output import ProgressBar, print_json, print_table


def register(bsub: argparse._SubParsersAction) -> None:
    digits = bsub.add_parser("digits", help="one-shot demo: triplet CNN on MNIST digits 0-7, "
                                            "templates for all ten")
    digits.add_argument("--dataset", type=Path, required=True, help="the mnist_t10k folder")
    digits.add_argument("--seed", type=int, default=0)
    digits.add_argument("--json", action="store_true")
    digits.set_defaults(handler=digits_benchmark)


def _report(result: dict, as_json: bool) -> int:
    if as_json:
        print_json(result)
    else:
        print_table(["metric", "value"], [(k, v) for k, v in result.items()])
    return 0


def digits_benchmark(args: argparse.Namespace, ctx: CliContext) -> int:
    from attendance_app.services.benchmarks.digits_benchmark import run_digits_benchmark

    bar = ProgressBar("digits", quiet=args.json)
    try:
        result = run_digits_benchmark(args.dataset, seed=args.seed, progress=bar)
    finally:
        bar.close()
    return _report(result, args.json)
