"""`benchmark oneshot|lfw|match|live|digits`: speed and accuracy, JSON on the last line.

Benchmarks use a temporary in-memory gallery and the active model; they never touch the user's
people or records.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from attendance_app.cli.context import CliContext
from attendance_app.cli.output import ProgressBar, print_result


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("benchmark", help="measure accuracy and speed")
    bsub = p.add_subparsers(dest="benchmark_command", metavar="KIND", required=True)

    one = bsub.add_parser("oneshot", help="one-shot identification on a <set>/<id>/<image> folder")
    one.add_argument("--dataset", type=Path, required=True)
    one.add_argument("--max-per-id", type=int, default=None)
    one.add_argument("--crops", action="store_true", help="images are face crops: no detection")
    one.add_argument("--flip", action="store_true", help="average embeddings with the mirror image")
    one.add_argument("--margin", type=int, default=None, help="MTCNN crop margin (default 44)")
    one.add_argument("--json", action="store_true")
    one.set_defaults(handler=oneshot)

    lfw = bsub.add_parser("lfw", help="the official LFW 10-fold verification protocol")
    lfw.add_argument("--dataset", type=Path, required=True, help="folder with pairs.txt")
    lfw.add_argument("--flip", action="store_true")
    lfw.add_argument("--margin", type=int, default=32)
    lfw.add_argument("--max-pairs", type=int, default=None, help="first N pairs of each fold (quick)")
    lfw.add_argument("--json", action="store_true")
    lfw.set_defaults(handler=lfw_benchmark)

    match = bsub.add_parser("match", help="milliseconds per query against N templates")
    match.add_argument("--gallery-size", type=int, default=100_000)
    match.add_argument("--json", action="store_true")
    match.set_defaults(handler=match_benchmark)

    from attendance_app.cli import benchmark_liveness_command, benchmark_more_commands

    benchmark_more_commands.register(bsub)
    benchmark_liveness_command.register(bsub)


def oneshot(args: argparse.Namespace, ctx: CliContext) -> int:
    from attendance_app.services.benchmarks.oneshot_benchmark import run_oneshot_benchmark

    with ProgressBar("oneshot", quiet=args.json) as bar:
        result = run_oneshot_benchmark(
            args.dataset, embedder=ctx.services.models.active_embedder(flip_average=args.flip),
            detector=ctx.services.detector(margin=args.margin), crops=args.crops,
            max_per_id=args.max_per_id, progress=bar)
    return print_result(result, args.json)


def lfw_benchmark(args: argparse.Namespace, ctx: CliContext) -> int:
    from attendance_app.services.benchmarks.lfw_benchmark import run_lfw_benchmark

    with ProgressBar("lfw", quiet=args.json) as bar:
        result = run_lfw_benchmark(
            args.dataset, embedder=ctx.services.models.active_embedder(flip_average=args.flip),
            detector=ctx.services.detector(margin=args.margin), max_pairs=args.max_pairs,
            progress=bar)
    return print_result(result, args.json)


def match_benchmark(args: argparse.Namespace, ctx: CliContext) -> int:
    from attendance_app.services.benchmarks.match_benchmark import run_match_benchmark

    return print_result(run_match_benchmark(args.gallery_size), args.json)
