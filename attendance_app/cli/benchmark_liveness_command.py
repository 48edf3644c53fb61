"""`benchmark liveness`: APCER / BPCER / time to live on real clips and attack videos."""

from __future__ import annotations

import argparse
from pathlib import Path

from attendance_app.cli.context import CliContext
from attendance_app.cli.output import ProgressBar, print_result


def register(bsub: argparse._SubParsersAction) -> None:
    p = bsub.add_parser("liveness", help="liveness on real clips and presentation-attack videos "
                                         "(APCER, BPCER, time to live; ISO/IEC 30107-3)")
    p.add_argument("--real", nargs="*", type=Path, default=[], metavar="VIDEO",
                   help="videos of real people (every track bona fide); folders allowed")
    p.add_argument("--attack", nargs="*", type=Path, default=[], metavar="VIDEO",
                   help="attack videos, e.g. from scripts/make_spoof_video.py; folders allowed")
    p.add_argument("--window", type=float, default=4.0,
                   help="BPCER: a real track not live within this many seconds is an error")
    p.add_argument("--max-seconds", type=float, default=None,
                   help="use only the first SECONDS of each video")
    p.add_argument("--save-traces", type=Path, default=None, metavar="FILE",
                   help="also write every track's per-sample measurements (FaceMesh points, "
                        "screen/print cues; gzip JSON) for replaying settings with "
                        "scripts/liveness_choose_thresholds.py")
    p.add_argument("--json", action="store_true")
    p.set_defaults(handler=liveness_benchmark)


def liveness_benchmark(args: argparse.Namespace, ctx: CliContext) -> int:
    from attendance_app.domain.errors import ValidationError
    from attendance_app.services.benchmarks.liveness_benchmark import (run_liveness_benchmark,
                                                                        video_files)
    from attendance_app.vision.liveness.liveness_monitor import LivenessMonitor

    real, attacks = video_files(args.real), video_files(args.attack)
    if not real and not attacks:
        raise ValidationError("give --real and/or --attack videos")
    missing = [str(v) for v in real + attacks if not v.is_file()]
    if missing:
        raise ValidationError(f"no such video file: {', '.join(missing)}")
    if args.window <= 0:
        raise ValidationError("--window must be a positive number of seconds")
    services = ctx.services
    landmarker = services.face_mesh()
    with ProgressBar("liveness", quiet=args.json) as bar:
        result = run_liveness_benchmark(
            real, attacks, services.detector(),
            lambda: LivenessMonitor(landmarker, trace=args.save_traces is not None),
            bpcer_window_s=args.window, detect_every_frames=ctx.settings.detect_every_frames,
            detect_max_side=ctx.settings.detect_max_side, max_seconds=args.max_seconds,
            progress=bar, traces_to=args.save_traces)
    return print_result(result, args.json)
