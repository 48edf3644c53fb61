"""`train`: fine-tune the face model with semi-hard triplets and show before/after figures."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from attendance_app.cli.admin_commands import requires_admin
from attendance_app.cli.context import CliContext
from attendance_app.cli.output import ProgressBar, print_json, print_table
from attendance_app.domain.errors import ValidationError


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("train", help="fine-tune the embedder on enrolled faces and/or a dataset; "
                                     "registers a candidate model (activate it with models activate)")
    p.add_argument("--from-enrolled", action="store_true", help="use the enrolled people's crops")
    p.add_argument("--dataset", type=Path, help="folder dataset: one sub-folder per person")
    p.add_argument("--crops", action="store_true", help="dataset images are already face crops")
    p.add_argument("--epochs", type=int, default=5)
    p.add_argument("--margin", type=float, default=0.2)
    p.add_argument("--people-per-batch", type=int, default=8)
    p.add_argument("--samples-per-person", type=int, default=4)
    p.add_argument("--learning-rate", type=float, default=1e-4)
    p.add_argument("--trainable", default=None,
                   help="comma-separated blocks to train (default: the active model's, FaceNet "
                        "repeat_3,block8,last_linear,last_bn; SFace conv_25,conv_26,conv_27,"
                        "bn_features,linear,bn_embedding)")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--json", action="store_true")
    p.set_defaults(handler=train)


@requires_admin
def train(args: argparse.Namespace, ctx: CliContext) -> int:
    from attendance_app.training.fine_tune_config import for_architecture

    if not args.from_enrolled and args.dataset is None:
        raise ValidationError("say what to train on: --from-enrolled and/or --dataset DIR")
    architecture = ctx.services.models.ensure_default_model().architecture
    try:
        config = for_architecture(
            architecture, epochs=args.epochs, margin=args.margin,
            learning_rate=args.learning_rate, people_per_batch=args.people_per_batch,
            samples_per_person=args.samples_per_person, seed=args.seed,
            trainable_blocks=None if args.trainable is None else
            tuple(b.strip() for b in args.trainable.split(",")))
    except ValueError as exc:
        raise ValidationError(str(exc)) from exc
    svc = ctx.services.training
    samples, skipped = [], []
    if args.from_enrolled:
        enrolled = svc.enrolled_samples()
        samples.extend(enrolled.samples)
        skipped.extend(enrolled.skipped)
    if args.dataset is not None:
        with ProgressBar("reading dataset", quiet=args.json) as bar:
            data = svc.folder_samples(args.dataset, crops=args.crops, progress=bar)
        samples.extend(data.samples)
        skipped.extend(data.skipped)
    for path, reason in skipped:
        print(f"skipped {path}: {reason}", file=sys.stderr)

    with ProgressBar("training", quiet=args.json) as bar:
        def on_progress(tick) -> bool:
            return bar(tick.step, tick.total_steps, f"{tick.phase} epoch {tick.epoch}"
                       + (f" loss {tick.loss:.3f}" if tick.loss is not None else ""))

        run = svc.fine_tune(samples, config, on_progress)
    model = svc.register(run)
    result = {"model_id": model.id, "before": _figures(run.before), "after": _figures(run.after),
              "improved": run.improved, "seconds": round(run.result.seconds, 1),
              "images_per_second": round(run.result.images_per_second, 1),
              "cache_seconds": round(run.result.cache_seconds, 1),
              "seconds_per_epoch": round(run.result.seconds_per_epoch, 2),
              "epochs_run": len(run.result.history) - 1, "best_epoch": run.result.best_epoch,
              "architecture": run.architecture,
              "held_out_people": len(run.held_out_people), "skipped_images": len(skipped),
              "notes": run.notes}
    if args.json:
        print_json(result)
        return 0
    print_table(["", "rank-1", "TAR@FAR1%", "threshold"],
                [(k, *_figures(v).values()) for k, v in (("before", run.before), ("after", run.after))])
    verdict = "better" if run.improved else "NOT better: keep the current model"
    print(f"candidate model {model.id} registered ({verdict}); "
          f"activate it with: attendance-app models activate {model.id}")
    for note in run.notes:
        print(f"note: {note}")
    return 0


def _figures(m: dict) -> dict:
    return {"rank1": round(m["rank1"], 4), "tar_at_far_1pct": round(m["tar_at_far_1pct"], 4),
            "threshold": round(m["threshold"], 4)}
