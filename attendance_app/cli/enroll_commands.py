"""`enroll` and `enroll-folder`: add people from photo files."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from attendance_app.cli.admin_commands import requires_admin
from attendance_app.cli.context import CliContext
from attendance_app.cli.output import ProgressBar, print_json

CONSENT_HELP = ("confirm that the person gave consent to biometric enrolment (required; recorded "
                "with who/when and the wording version)")


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("enroll", help="enrol one person from one or more photos")
    p.add_argument("name")
    p.add_argument("photos", nargs="+", type=Path)
    p.add_argument("--external-id", help="student or staff number")
    p.add_argument("--group", help="class, course or team (used as a session roster)")
    p.add_argument("--largest", action="store_true",
                   help="use the largest face when a photo holds several")
    p.add_argument("--consent", action="store_true", help=CONSENT_HELP)
    p.add_argument("--recorded-by", default=None, help="who recorded the consent (default: $USER)")
    p.add_argument("--json", action="store_true")
    p.set_defaults(handler=enroll)

    f = sub.add_parser("enroll-folder", help="enrol everyone in DIR (one sub-folder per person)")
    f.add_argument("folder", type=Path)
    f.add_argument("--crops", action="store_true",
                   help="the images are already face crops: skip detection, just resize")
    f.add_argument("--group", help="group to give every person enrolled")
    f.add_argument("--consent", action="store_true", help=CONSENT_HELP)
    f.add_argument("--recorded-by", default=None)
    f.add_argument("--json", action="store_true")
    f.set_defaults(handler=enroll_folder)


@requires_admin
def enroll(args: argparse.Namespace, ctx: CliContext) -> int:
    svc = ctx.services.enrollment
    consent = svc.consent_from_flag(args.consent, args.recorded_by)
    outcome = svc.enroll_photos(args.name, args.photos, external_id=args.external_id,
                                group=args.group, consent=consent, largest=args.largest)
    for warning in outcome.warnings:
        print(f"warning: {warning}", file=sys.stderr)
    if args.json:
        print_json(outcome.to_dict())
    else:
        print(f"enrolled {outcome.person.label} (id {outcome.person.id}) with "
              f"{len(outcome.accepted)} photo(s)")
    return 0


@requires_admin
def enroll_folder(args: argparse.Namespace, ctx: CliContext) -> int:
    svc = ctx.services.enrollment
    consent = svc.consent_from_flag(args.consent, args.recorded_by)
    with ProgressBar("enrolling", quiet=args.json) as bar:
        summary = svc.enroll_folder(args.folder, consent=consent, crops=args.crops,
                                    group=args.group, progress=bar)
    if args.json:
        print_json(summary.to_dict())
        return 0
    print(f"enrolled {len(summary.enrolled)} people from {args.folder}")
    for name, count in summary.enrolled:
        print(f"  {name}: {count} photo(s)")
    if summary.refused:
        print(f"refused {len(summary.refused)} photo(s):")
        for path, reason in summary.refused:
            print(f"  {path}: {reason}")
    for warning in summary.warnings:
        print(f"warning: {warning}", file=sys.stderr)
    return 0
