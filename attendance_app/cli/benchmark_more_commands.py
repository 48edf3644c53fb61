"""`benchmark live` and `benchmark digits` (kept apart from the recognition benchmarks)."""

from __future__ import annotations

import argparse
from pathlib import Path

from attendance_app.cli.context import CliContext
from attendance_app.cli.output import ProgressBar, print_result


def register(bsub: argparse._SubParsersAction) -> None:
    live = bsub.add_parser("live", help="the live pipeline on a video: fps, stage times, "
                                        "time to record (temporary gallery)")
    live.add_argument("--source", type=Path, required=True, help="a video file")
    live.add_argument("--enroll", action="append", default=[], metavar="NAME=PHOTO",
                      help="a person to recognise (repeatable)")
    live.add_argument("--every-frame", action="store_true",
                      help="naive baseline: detect and embed every face in every frame")
    live.add_argument("--detect-scale", type=float, default=1.0,
                      help="detect on the frame resized by this factor (crops stay full size)")
    live.add_argument("--no-realtime", action="store_true", help="skip the real-time pass")
    live.add_argument("--labels-out", type=Path, default=None, metavar="FILE",
                      help="write one JSON line per processed frame and pass (boxes, names, "
                           "states, similarities); with --background-load also the passes "
                           "fast_loaded and paced_loaded")
    live.add_argument("--background-load", type=int, default=0, metavar="N",
                      help="run both passes again with N busy-loop processes competing for "
                           "the CPUs (fps_loaded, realtime_fps_loaded)")
    live.add_argument("--model", choices=("active", "facenet", "sface"), default="active",
                      help="embedder (default: the registry's active model), with its own "
                           "threshold and margin")
    live.add_argument("--truth", type=Path, default=None, metavar="FILE",
                      help="a generated video's truth file: score the sightings (recorded / "
                           "enrolled, strangers recorded)")
    live.add_argument("--mtcnn-per-box", action="store_true",
                      help="cut MTCNN's R-/O-net crops one box at a time as facenet-pytorch does "
                           "(the path before issue 11's batched crops; same detections, for A/B)")
    live.add_argument("--landmarks", choices=("mtcnn", "refined"), default="mtcnn",
                      help="refined: an aligning embedder's input is cut on landmarks found "
                           "again on an enlarged view of each small face (~30 ms per face)")
    live.add_argument("--no-lookahead", action="store_true",
                      help="fast pass on one thread: do not detect the next detection frame on "
                           "a second thread while this one is embedded (same detections; A/B)")
    live.add_argument("--json", action="store_true")
    live.set_defaults(handler=live_benchmark)

    learn = bsub.add_parser("learning", help="two-day 'ID photo -> camera' simulation: day-2 "
                                             "recall and strangers with and without camera "
                                             "templates (temporary gallery)")
    learn.add_argument("--lfw", type=Path, default=Path("../shared/datasets/lfw"))
    learn.add_argument("--out", type=Path, required=True, help="folder for the two videos")
    learn.add_argument("--split", choices=("validation", "test"), default="validation")
    learn.add_argument("--seed", type=int, default=0)
    learn.add_argument("--people", type=int, default=12)
    learn.add_argument("--strangers", type=int, default=6, help="strangers per day")
    learn.add_argument("--model", choices=("active", "facenet", "sface"), default="active")
    learn.add_argument("--min-margin", type=float, default=None,
                       help="camera-template margin (default: the setting)")
    learn.add_argument("--max-per-person", type=int, default=None)
    learn.add_argument("--min-quality", type=float, default=None,
                       help="face quality floor in px (default: the enrolment minimum)")
    learn.add_argument("--json", action="store_true")
    learn.set_defaults(handler=learning_benchmark)

    score = bsub.add_parser("score-labels", help="count wrong-name track-frames of a "
                                                 "--labels-out file against a swap-video truth")
    score.add_argument("--labels", type=Path, required=True)
    score.add_argument("--truth", type=Path, required=True)
    score.add_argument("--json", action="store_true")
    score.set_defaults(handler=score_labels)

    digits = bsub.add_parser("digits", help="one-shot demo: triplet CNN on MNIST digits 0-7, "
                                            "templates for all ten")
    digits.add_argument("--dataset", type=Path, required=True, help="the mnist_t10k folder")
    digits.add_argument("--seed", type=int, default=0)
    digits.add_argument("--validation", action="store_true",
                        help="choose the readout on 0-7 alone: train on six, score the other two "
                             "(8 and 9 are never read)")
    digits.add_argument("--pseudo-unseen", default="6,7", metavar="A,B",
                        help="with --validation: the two of 0-7 that play the unseen digits")
    digits.add_argument("--json", action="store_true")
    digits.set_defaults(handler=digits_benchmark)

    sync = bsub.add_parser("sync", help="simulated kiosks against a PostgreSQL server: events/s, "
                                        "lag, pull time (use a throw-away database)")
    sync.add_argument("--server", default=None, help="connection string (default: configured)")
    sync.add_argument("--kiosks", type=int, default=20)
    sync.add_argument("--people", type=int, default=5000)
    sync.add_argument("--templates", type=int, default=5, help="templates per person")
    sync.add_argument("--events", type=int, default=20000)
    sync.add_argument("--rate", type=float, default=500.0, help="events per second, all kiosks")
    sync.add_argument("--json", action="store_true")
    sync.set_defaults(handler=sync_benchmark)


def live_benchmark(args: argparse.Namespace, ctx: CliContext) -> int:
    from attendance_app.domain.errors import ValidationError
    from attendance_app.services.benchmarks.live_benchmark import Enrolment, run_live_benchmark

    try:
        enrolments = [Enrolment.parse(text) for text in args.enroll]
    except ValueError as exc:
        raise ValidationError(str(exc)) from exc
    if not enrolments:
        raise ValidationError("give at least one --enroll NAME=PHOTO")
    if not args.source.is_file():
        raise ValidationError(f"{args.source}: no such video file")
    if args.background_load < 0:
        raise ValidationError("--background-load wants a number of processes >= 0")
    if args.truth is not None and not args.truth.is_file():
        raise ValidationError(f"{args.truth}: no such truth file")
    from attendance_app.cli.benchmark_commands import app_match_policy

    embedder = ctx.services.models.benchmark_embedder(args.model)
    detector = ctx.services.detector()
    detector.batched_crops = not args.mtcnn_per_box
    with ProgressBar("live", quiet=args.json) as bar:
        result = run_live_benchmark(
            args.source, enrolments, detector, embedder,
            ctx.settings, every_frame=args.every_frame, detect_scale=args.detect_scale,
            realtime=not args.no_realtime, progress=bar, labels_out=args.labels_out,
            background_load=args.background_load,
            match_policy=app_match_policy(args.model, ctx), truth=args.truth,
            lookahead=not args.no_lookahead, refine_landmarks=args.landmarks == "refined")
    return print_result({**result, "model": args.model, "lookahead": not args.no_lookahead,
                         "landmarks": args.landmarks},
                        args.json)


def learning_benchmark(args: argparse.Namespace, ctx: CliContext) -> int:
    from attendance_app.cli.benchmark_commands import app_match_policy
    from attendance_app.domain.errors import ValidationError
    from attendance_app.services.benchmarks.idphoto_video import make_idphoto_video
    from attendance_app.services.benchmarks.learning_benchmark import run_two_day_benchmark
    from attendance_app.services.camera_template_learner import policy_from_settings

    if not args.lfw.is_dir():
        raise ValidationError(f"{args.lfw}: no such folder (the shared LFW copy)")
    try:
        days = [make_idphoto_video(args.lfw, args.out, split=args.split, people=args.people,
                                   strangers=args.strangers, seed=args.seed, day=d, days=2)
                for d in (1, 2)]
    except ValueError as exc:
        raise ValidationError(str(exc)) from exc
    policy = policy_from_settings(ctx.settings, min_margin=args.min_margin,
                                  max_per_person=args.max_per_person,
                                  min_quality=args.min_quality)
    with ProgressBar("learning", quiet=args.json) as bar:
        result = run_two_day_benchmark(days, ctx.services.detector(),
                                       ctx.services.models.benchmark_embedder(args.model),
                                       ctx.settings, app_match_policy(args.model, ctx), policy,
                                       progress=bar)
    return print_result({**result, "model": args.model, "split": args.split,
                         "seed": args.seed}, args.json)


def score_labels(args: argparse.Namespace, ctx: CliContext) -> int:
    from attendance_app.domain.errors import ValidationError
    from attendance_app.services.benchmarks.swap_video import score_labels as score

    for path in (args.labels, args.truth):
        if not path.is_file():
            raise ValidationError(f"{path}: no such file")
    return print_result(score(args.labels, args.truth), args.json)


def digits_benchmark(args: argparse.Namespace, ctx: CliContext) -> int:
    from attendance_app.domain.errors import ValidationError
    from attendance_app.services.benchmarks.digits_benchmark import run_digits_benchmark
    from attendance_app.services.benchmarks.digits_validation import run_digits_validation

    with ProgressBar("digits", quiet=args.json) as bar:
        if not args.validation:
            return print_result(run_digits_benchmark(args.dataset, seed=args.seed, progress=bar),
                                args.json)
        pair = tuple(int(d) for d in args.pseudo_unseen.split(",") if d.strip().isdigit())
        if len(set(pair)) != 2 or not set(pair) <= set(range(8)):
            raise ValidationError(f"--pseudo-unseen wants two different digits of 0-7 such as "
                                  f"6,7; got {args.pseudo_unseen!r}")
        result = run_digits_validation(args.dataset, seed=args.seed, pseudo_unseen=pair,
                                       progress=bar)
    return print_result(result, args.json)


def sync_benchmark(args: argparse.Namespace, ctx: CliContext) -> int:
    from attendance_app.domain.errors import SyncServerError
    from attendance_app.services.benchmarks.sync_benchmark import run_sync_benchmark
    from attendance_app.services.sync.server_address import check_dsn, server_dsn

    dsn = args.server or server_dsn(ctx.settings)
    if not dsn:
        raise SyncServerError("give --server 'host=... dbname=...' (a throw-away database)")
    check_dsn(dsn)
    with ProgressBar("sync", quiet=args.json) as bar:
        result = run_sync_benchmark(dsn, kiosks=args.kiosks, people=args.people,
                                    templates=args.templates, events=args.events,
                                    rate=args.rate, progress=bar)
    return print_result(result, args.json)
