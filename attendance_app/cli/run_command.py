"""`run`: take attendance headless from a camera, video file, stream URL or image folder."""

from __future__ import annotations

import argparse
import sys
from datetime import datetime, timedelta

from attendance_app.cli.context import CliContext
from attendance_app.cli.output import print_json
from attendance_app.domain.attendance import AttendanceRecord
from attendance_app.domain.errors import ValidationError


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("run", help="take attendance from a camera, video file, URL or folder")
    p.add_argument("--source", default=None, help="camera index (0), video file, folder or URL "
                                                    "(default: the camera in the settings)")
    p.add_argument("--session", required=True, help='session name, e.g. "Math 101"')
    p.add_argument("--roster", help="group whose members are expected (absent if not seen)")
    p.add_argument("--late-after", type=int, default=None, metavar="MINUTES",
                   help="arrivals this many minutes after the start are late")
    p.add_argument("--minutes", type=float, default=None,
                   help="planned length: the session closes after this many minutes")
    p.add_argument("--loop", action="store_true", help="loop a video file instead of ending")
    p.add_argument("--detect-scale", type=float, default=1.0,
                   help="run detection on the frame resized by this factor (e.g. 0.5 for 1080p)")
    p.add_argument("--liveness", choices=["off", "flag", "require"], default=None,
                   help="off; flag (record, mark 'liveness not shown' for review); require "
                        "(record only once the face showed life: blink, head turn, expression; "
                        "default: the setting, initially flag)")
    p.add_argument("--json", action="store_true", help="one JSON object per record")
    p.set_defaults(handler=run)


def run(args: argparse.Namespace, ctx: CliContext) -> int:
    from attendance_app.services.live_session_loop import run_live_loop
    from attendance_app.services.liveness_gate import LivenessGate, check_mode
    from attendance_app.vision.frame_source import open_source

    services = ctx.services
    if args.minutes is not None and args.minutes <= 0:
        raise ValidationError("--minutes must be positive: a session cannot end before it starts")
    source = open_source(args.source or services.settings.camera, loop=args.loop)
    start = datetime.now().replace(microsecond=0)
    late_after = start + timedelta(minutes=args.late_after) if args.late_after is not None else None
    planned_end = start + timedelta(minutes=args.minutes) if args.minutes else None
    people = {p.id: p for p in services.people.list_people()}
    liveness = check_mode(args.liveness or services.settings.liveness)
    # A camera or stream never waits for MTCNN (own thread); a file is processed frame by frame.
    recognizer = services.make_recognizer(
        detect_scale=args.detect_scale, async_detection=source.is_live,
        name_of=lambda pid: people[pid].name if pid in people else None,
        liveness=liveness != "off")
    # The same session name on the same day continues a session a crash left open.
    session_run, resumed = services.attendance.start_or_resume(args.session, args.roster,
                                                               late_after, planned_end, start)
    gate = LivenessGate(session_run, liveness, services.settings.liveness_wait_s)
    emit = _json_record if args.json else _text_record
    if services.sync.configured:  # shared server: deliver and pull in the background
        services.sync.start_background()
        print(f"sync: {services.sync.status(services.db).text}", file=sys.stderr)
    if resumed:
        print(f"resuming session {session_run.session.name!r} (started "
              f"{session_run.session.started_at:%H:%M:%S}, not closed: the app stopped); "
              f"{len(session_run.records())} record(s) already taken, nobody is recorded twice",
              file=sys.stderr)
    elif not args.json:
        print(f"session {session_run.session.name!r} started at {start:%H:%M:%S}; "
              f"source {source.description}; Ctrl-C to stop", file=sys.stderr)

    def should_stop() -> bool:
        return planned_end is not None and datetime.now() >= planned_end

    try:
        summary = run_live_loop(source, recognizer, session_run, on_record=emit,
                                on_status=lambda m: print(f"camera: {m}", file=sys.stderr),
                                should_stop=should_stop, gate=gate,
                                learner=services.camera_learner(liveness != "off"))
    except KeyboardInterrupt:
        print("stopping: closing the session", file=sys.stderr)
        summary = None
    finally:
        recognizer.close()
    absent = session_run.close()
    for record in absent:
        emit(record)
    counts = session_run.summary()
    result = {"summary": {"session": session_run.session.name, **counts,
                          "frames": summary.frames if summary else None,
                          "fps": round(summary.fps, 1) if summary else None,
                          "unknown_tracks": summary.unknown_tracks if summary else None,
                          "corrupted_frames": summary.corrupted_frames if summary else None,
                          "liveness": liveness,
                          "suspect_faces": summary.suspect_faces if summary else None,
                          "camera_templates_learned":
                              summary.camera_templates if summary else None}}
    if args.json:
        print_json(result)
    else:
        print(_summary_text(result["summary"]))
    return 0


def _record_dict(record: AttendanceRecord) -> dict:
    return {"name": record.person_name, "external_id": record.external_id,
            "status": record.effective_status.value, "time": record.arrival_time.isoformat(),
            "similarity": None if record.similarity is None else round(record.similarity, 4),
            "session_id": record.session_id, "record_id": record.id,
            "liveness": None if record.liveness is None else record.liveness.value}


def _json_record(record: AttendanceRecord) -> None:
    print_json(_record_dict(record))


def _text_record(record: AttendanceRecord) -> None:
    sim = "" if record.similarity is None else f"  {record.similarity * 100:.0f}%"
    flag = "  [liveness not shown]" if record.needs_liveness_review else ""
    print(f"{record.arrival_time:%H:%M:%S}  {record.effective_status.value:<24} {record.person_name}"
          f"{' (' + record.external_id + ')' if record.external_id else ''}{sim}{flag}",
          flush=True)


def _summary_text(s: dict) -> str:
    roster = f" of {s['roster_size']} on the roster" if s["roster_size"] >= 0 else ""
    return (f"session {s['session']!r} closed: {s['present']} present, {s['late']} late, "
            f"{s['absent']} absent, {s['present (not on roster)']} not on roster{roster}; "
            f"{s['frames']} frames at {s['fps']} fps; liveness {s['liveness']}, "
            f"{s['suspect_faces']} suspect face(s) held for review")
