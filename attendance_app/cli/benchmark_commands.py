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
    one.add_argument("--enrol-per-person", type=int, default=1, metavar="K",
                     help="enrol the first K images of each identity (default 1: one-shot)")
    one.add_argument("--strategy", choices=["best", "top_k_mean"], default="best",
                     help="person score: best template, or mean of the top 2 (ADR 0001)")
    _model_options(one)
    one.add_argument("--json", action="store_true")
    one.set_defaults(handler=oneshot)

    lfw = bsub.add_parser("lfw", help="the official LFW 10-fold verification protocol")
    lfw.add_argument("--dataset", type=Path, required=True, help="folder with pairs.txt")
    lfw.add_argument("--flip", action="store_true")
    lfw.add_argument("--margin", type=int, default=32)
    lfw.add_argument("--max-pairs", type=int, default=None, help="first N pairs of each fold (quick)")
    _model_options(lfw)
    lfw.add_argument("--json", action="store_true")
    lfw.set_defaults(handler=lfw_benchmark)

    match = bsub.add_parser("match", help="milliseconds per query against N templates")
    match.add_argument("--gallery-size", type=int, default=100_000)
    match.add_argument("--storage", choices=["float32", "bfloat16", "float16"], default="float32",
                       help="how the gallery holds the templates (float32: the app's default)")
    match.add_argument("--strategy", choices=["best", "top_k_mean"], default="best")
    match.add_argument("--json", action="store_true")
    match.set_defaults(handler=match_benchmark)

    from attendance_app.cli import benchmark_liveness_command, benchmark_more_commands

    benchmark_more_commands.register(bsub)
    benchmark_liveness_command.register(bsub)


def _model_options(p: argparse.ArgumentParser) -> None:
    p.add_argument("--model", choices=("active", "facenet", "sface"), default="active",
                   help="embedder to measure (default: the registry's active model)")
    p.add_argument("--alignment", choices=("box", "five_point", "via_crop"), default="box",
                   help="FaceNet input: margin box crop or 5-point similarity alignment; SFace "
                        "is always 5-point aligned, from the frame or (via_crop) inside the "
                        "160 px margin crop")
    p.add_argument("--detections", type=Path, default=None,
                   help="JSON file caching MTCNN detections between side-by-side runs")
    p.add_argument("--landmarks", choices=("refined", "mtcnn"), default="refined",
                   help="refined (the app's photo path): small faces' landmarks found again "
                        "on an enlarged view; mtcnn: MTCNN's first answer")


def _embedder_and_detector(args: argparse.Namespace, ctx: CliContext):
    embedder = ctx.services.models.benchmark_embedder(args.model, args.flip, args.alignment)
    mtcnn = detector = ctx.services.detector(margin=args.margin)
    if args.detections is not None:
        from attendance_app.services.benchmarks.detection_cache import CachedDetector

        detector = CachedDetector(detector, args.detections)
    if args.landmarks == "refined":
        from attendance_app.services.benchmarks.refining_detector import RefiningDetector

        detector = RefiningDetector(detector, mtcnn)
    return embedder, detector


def app_match_policy(model: str, ctx: CliContext) -> tuple[float, float]:
    """(threshold, margin) the app would use with `model`: each model carries its own."""
    from attendance_app.services import model_service

    if model == "sface":
        return model_service.SFACE_MATCH_THRESHOLD, model_service.SFACE_MATCH_MARGIN
    if model == "facenet":
        return ctx.settings.match_threshold, ctx.settings.runner_up_margin
    return ctx.services.models.match_policy(ctx.settings)


def _with_model(result: dict, args: argparse.Namespace) -> dict:
    return {**result, "model": args.model, "alignment": args.alignment, "flip": args.flip,
            "landmarks": args.landmarks}


def oneshot(args: argparse.Namespace, ctx: CliContext) -> int:
    from attendance_app.services.benchmarks.oneshot_benchmark import run_oneshot_benchmark

    embedder, detector = _embedder_and_detector(args, ctx)
    threshold, margin = app_match_policy(args.model, ctx)
    with ProgressBar("oneshot", quiet=args.json) as bar:
        result = run_oneshot_benchmark(
            args.dataset, embedder=embedder, detector=None if args.crops else detector,
            crops=args.crops, max_per_id=args.max_per_id, enroll_per_id=args.enrol_per_person,
            strategy=args.strategy, progress=bar,
            app_threshold=threshold, app_margin=margin)
    if hasattr(detector, "save"):
        detector.save()
    return print_result(_with_model(result, args), args.json)


def lfw_benchmark(args: argparse.Namespace, ctx: CliContext) -> int:
    from attendance_app.services.benchmarks.lfw_benchmark import run_lfw_benchmark

    embedder, detector = _embedder_and_detector(args, ctx)
    with ProgressBar("lfw", quiet=args.json) as bar:
        result = run_lfw_benchmark(args.dataset, embedder=embedder, detector=detector,
                                   max_pairs=args.max_pairs, progress=bar)
    if hasattr(detector, "save"):
        detector.save()
    return print_result(_with_model(result, args), args.json)


def match_benchmark(args: argparse.Namespace, ctx: CliContext) -> int:
    from attendance_app.services.benchmarks.match_benchmark import run_match_benchmark

    return print_result(run_match_benchmark(args.gallery_size, storage=args.storage,
                                            strategy=args.strategy), args.json)
