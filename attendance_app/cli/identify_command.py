"""`identify`: who is in these photos?"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from attendance_app.cli.context import CliContext
from attendance_app.cli.output import print_json
from attendance_app.domain.errors import AttendanceAppError


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("identify", help="print the best match (or Unknown) for every face")
    p.add_argument("photos", nargs="+", type=Path)
    p.add_argument("--json", action="store_true", help="one JSON object per face")
    p.set_defaults(handler=identify)


def identify(args: argparse.Namespace, ctx: CliContext) -> int:
    svc = ctx.services.identification
    failures = 0
    for photo in args.photos:
        try:
            faces = svc.identify_photo(photo)
        except AttendanceAppError as exc:  # one bad photo must not hide the others' results
            failures += 1
            if args.json:
                print_json({"photo": str(photo), "error": str(exc)})
            else:
                print(f"error: {exc}", file=sys.stderr)
            continue
        if not faces and not args.json:
            print(f"{photo}: no face found")
        for index, face in enumerate(faces, start=1):
            if args.json:
                print_json({"photo": str(photo), "face": index, "faces": len(faces),
                            **face.to_dict()})
            else:
                print(f"{photo}: {_where(index, len(faces), face)}: {face.describe()}")
    return 2 if failures else 0


def _where(index: int, count: int, face) -> str:
    """'face 2 of 3 at x 120-180, y 40-110' (pixels of the photo), so faces can be told apart."""
    x1, y1, x2, y2 = (round(v) for v in face.detection.box.as_tuple())
    return f"face {index} of {count} at x {x1}-{x2}, y {y1}-{y2}"
