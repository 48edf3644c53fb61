"""Measure the real window for the README (issue 4): time to a visible window, time until the
face models are ready, and the Live tab's displayed fps on the Hamilton clip in real time.

Usage: .venv/bin/python scripts/measure_gui.py [--xvfb] [--clip PATH] [--timeout 600]

Runs under QT_QPA_PLATFORM=offscreen by default; `--xvfb` starts its own Xvfb on a free display
(`-displayfd`) and uses the xcb platform instead. Uses a temporary data dir. The window is built
and started exactly as run_gui does (ensure_application, create_window, show, start_loading from
a zero timer, then the real event loop), with the clip as the camera source. The numbers:

- window_*_s: from the process start (/proc/self/stat, so the interpreter start-up and the
  PySide6 / app imports count) and from just before ensure_application() (run_gui's own
  `started` point) to the main window's first Expose (QWindow.isExposed) and first Paint event;
  `window_visible_s` is the first paint (the first frame of the window drawn).
- models_ready_s: until MainWindow.models_ready (the status bar says "Ready — <model>"), same
  two origins.
- live: after enrolling lin-manuel-miranda.png and alex-lacamoire.png from the files through the
  backend (check_photo + enrol), a session is started and the clip is played again from its
  start with camera.realtime = True (paced to the clip's timestamps, frames dropped when the
  processing is busy, max 30 fps). `frames_displayed` counts CameraController.frame deliveries
  (each one is one LiveTab._on_frame -> VideoView.set_frame, i.e. one frame result handled);
  `video_paints` counts the VideoView's paint events (Qt may merge updates). displayed_fps =
  frames_displayed / clip duration (frame count / fps from OpenCV); wall_fps divides by the time
  from the first to the last displayed frame. `lin_manuel_row_after_s` is the time from the
  first displayed frame of the clip to the Lin-Manuel Miranda row in the attendance list.

The last line of stdout is one JSON object with all of it.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

SCRIPT_T0 = time.perf_counter()
ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
LIN = "Lin-Manuel Miranda"


def process_age_s() -> float | None:
    """Seconds since this process started (Linux /proc; 10 ms resolution), else None."""
    try:
        stat = Path("/proc/self/stat").read_text()
        start_ticks = int(stat.rsplit(")", 1)[1].split()[19])  # field 22: starttime
        uptime = float(Path("/proc/uptime").read_text().split()[0])
        return max(0.0, uptime - start_ticks / os.sysconf("SC_CLK_TCK"))
    except (OSError, ValueError, IndexError):
        return None


_AGE = process_age_s()
PROCESS_T0 = SCRIPT_T0 - _AGE if _AGE is not None else None


def start_xvfb() -> subprocess.Popen:
    """Xvfb on a free display (it writes the number to -displayfd); sets DISPLAY."""
    read_fd, write_fd = os.pipe()
    proc = subprocess.Popen(["Xvfb", "-displayfd", str(write_fd), "-screen", "0",
                             "1920x1080x24", "-nolisten", "tcp"], pass_fds=(write_fd,),
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    os.close(write_fd)
    with os.fdopen(read_fd) as pipe:
        display = pipe.readline().strip()
    if not display:
        proc.terminate()
        raise RuntimeError("Xvfb did not start")
    os.environ["DISPLAY"] = f":{display}"
    return proc


def clip_duration_s(clip: Path) -> tuple[float, int, float]:
    """(duration, frame count, fps) of the clip, from OpenCV."""
    import cv2

    cap = cv2.VideoCapture(str(clip))
    try:
        frames = int(cap.get(cv2.CAP_PROP_FRAME_COUNT))
        fps = float(cap.get(cv2.CAP_PROP_FPS))
    finally:
        cap.release()
    return (frames / fps if fps > 0 else 0.0), frames, fps


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--xvfb", action="store_true", help="run under Xvfb (xcb), not offscreen")
    parser.add_argument("--clip", default=None, help="video (default: the Hamilton clip)")
    parser.add_argument("--timeout", type=float, default=600.0,
                        help="seconds to wait for the models and for the clip, each")
    args = parser.parse_args()
    xvfb = None
    if args.xvfb:
        xvfb = start_xvfb()
        os.environ["QT_QPA_PLATFORM"] = "xcb"
    else:
        os.environ["QT_QPA_PLATFORM"] = "offscreen"
    try:
        result = measure(args)
    finally:
        if xvfb is not None:
            xvfb.terminate()
            xvfb.wait(5)
    print(json.dumps(result))
    return 0 if result.get("ok") else 1


class _Recorder:
    """Event filters and signal slots that stamp time.perf_counter() on the first events."""

    def __init__(self) -> None:
        self.first: dict[str, float] = {}

    def mark(self, key: str) -> None:
        self.first.setdefault(key, time.perf_counter())


def measure(args: argparse.Namespace) -> dict:
    t_import = time.perf_counter()
    from PySide6.QtCore import QEvent, QEventLoop, QObject, QTimer

    from attendance_app.config import datasets_dir
    from attendance_app.gui.app import create_window, ensure_application

    imports_s = time.perf_counter() - t_import
    video_dir = datasets_dir() / "face_recognition_video"
    clip = Path(args.clip) if args.clip else video_dir / "short_hamilton_clip.mp4"
    rec = _Recorder()
    counts = {"paint": 0}

    class Filter(QObject):
        def __init__(self, on_event) -> None:
            super().__init__()
            self._on_event = on_event

        def eventFilter(self, obj, event):  # noqa: N802
            self._on_event(event.type())
            return False

    def window_event(kind) -> None:
        if kind == QEvent.Type.Expose and window.windowHandle() is not None \
                and window.windowHandle().isExposed():
            rec.mark("expose")
        elif kind == QEvent.Type.Paint:
            rec.mark("paint")
        elif kind == QEvent.Type.Show:
            rec.mark("show")

    def run_until(predicate, timeout_s: float) -> bool:
        """Spin the real event loop (as app.exec() would) until predicate() or the timeout."""
        loop = QEventLoop()
        poll = QTimer()
        poll.setInterval(5)
        end = time.monotonic() + timeout_s

        def check() -> None:
            if predicate() or time.monotonic() > end:
                loop.quit()

        poll.timeout.connect(check)
        poll.start()
        if not predicate():
            loop.exec()
        poll.stop()
        return bool(predicate())

    def since(t: float | None, origin: float | None) -> float | None:
        return round(t - origin, 3) if t is not None and origin is not None else None

    errors: list[str] = []
    result: dict = {"platform": os.environ["QT_QPA_PLATFORM"], "imports_s": round(imports_s, 3),
                    "load_average": list(os.getloadavg()), "cpus": os.cpu_count()}

    # --- start-up, as run_gui does it ---
    started = time.perf_counter()
    app = ensure_application()
    window = create_window(tempfile.mkdtemp(prefix="attendance-measure-"),
                           error_sink=lambda title, text: errors.append(f"{title}: {text}"),
                           camera_spec=str(clip))
    notices: list[str] = []  # a session's summary and the like: reported, not failures
    window.errors.info_sink = lambda title, text: notices.append(f"{title}: {text}")
    constructed = time.perf_counter()
    win_filter = Filter(window_event)
    window.installEventFilter(win_filter)
    window.show()
    handle = window.windowHandle()
    if handle is not None:  # Expose arrives through the event loop, after this
        handle.installEventFilter(win_filter)
    QTimer.singleShot(0, window.start_loading)

    def exposed_and_painted() -> bool:
        if handle is not None and handle.isExposed():
            rec.mark("expose")
        return "expose" in rec.first and "paint" in rec.first

    visible = run_until(exposed_and_painted, 30)
    ready = run_until(lambda: window.models_ready or bool(errors), args.timeout)
    t_ready = time.perf_counter() if window.models_ready else None
    result.update({
        "window_origin_note": "process: from the process start (/proc); run_gui: from just "
                              "before ensure_application(), run_gui's own start point",
        "window_constructed_s": {"process": since(constructed, PROCESS_T0),
                                 "run_gui": since(constructed, started)},
        "window_exposed_s": {"process": since(rec.first.get("expose"), PROCESS_T0),
                             "run_gui": since(rec.first.get("expose"), started)},
        "window_visible_s": {"process": since(rec.first.get("paint"), PROCESS_T0),
                             "run_gui": since(rec.first.get("paint"), started)},
        "window_visible": visible,
        "models_ready_s": {"process": since(t_ready, PROCESS_T0),
                           "run_gui": since(t_ready, started)},
        "status_text": window.status_label.text(),
    })
    print(f"window visible (first paint) after {result['window_visible_s']}; "
          f"models ready after {result['models_ready_s']}: {result['status_text']}", flush=True)
    if not ready:
        result.update(ok=False, errors=errors or ["models did not load in time"])
        window.close()
        return result

    # --- enrol the two people from the files, through the backend ---
    backend = window.backend
    enrolled = {}
    for name, group, photo in ((LIN, "Cast", video_dir / "lin-manuel-miranda.png"),
                               ("Alex Lacamoire", "Band", video_dir / "alex-lacamoire.png")):
        check = backend.check_photo(photo)
        if check.accepted:
            backend.enrol(name, None, group, [check.crop], "measure_gui script")
        enrolled[name] = bool(check.accepted)
    window._on_people_changed()  # as the Enrol tab's signal would (refreshes the other tabs)

    # --- a session, then the clip from its start in real time ---
    live = window.live_tab
    camera = window.camera
    camera.realtime = True
    window.tabs.setCurrentWidget(live)
    live.controls.name_edit.setText("Hamilton measurement")
    live.controls.start_button.click()  # sets the processor on the camera controller
    if not live.session_running:
        result.update(ok=False, errors=errors or ["the session did not start"])
        window.close()
        return result
    frames: list[float] = []
    stamps: dict[str, float] = {}

    def on_frame(_rgb, _result) -> None:  # connected after LiveTab's slot: runs after it
        if not frames:
            stamps["dropped_at_first"] = camera.dropped
        frames.append(time.perf_counter())
        if LIN not in stamps and LIN in live.attendance.names():
            stamps[LIN] = time.perf_counter()

    def on_video_event(kind) -> None:
        if kind == QEvent.Type.Paint and frames:
            counts["paint"] += 1

    video_filter = Filter(on_video_event)
    live.video.installEventFilter(video_filter)
    live.start_source(str(clip))
    # the first play (started when the models were ready) may have ended meanwhile: its queued
    # `ended` arrives before any frame of this play, so only an end after a frame counts
    camera.ended.connect(lambda: frames and stamps.setdefault("ended", time.perf_counter()))
    worker = camera._worker  # diagnostics only: how many frames the worker read
    camera.frame.connect(on_frame)
    duration, n_frames, fps = clip_duration_s(clip)
    ended = run_until(lambda: "ended" in stamps or bool(errors), args.timeout)
    run_until(lambda: False, 0.5)  # let the last queued frames arrive
    camera.frame.disconnect(on_frame)
    frames_read = getattr(worker, "frames_read", None)
    live.stop_session()
    window.close()
    first = frames[0] if frames else None
    wall = frames[-1] - frames[0] if len(frames) > 1 else 0.0
    result.update({
        "ok": bool(ended and frames and not errors),
        "clip": clip.name,
        "clip_duration_s": round(duration, 3),
        "clip_frames": n_frames,
        "clip_fps": round(fps, 3),
        "realtime": True,
        "enrolled": enrolled,
        "frames_read_by_worker": frames_read,
        "frames_displayed": len(frames),
        "video_paints": counts["paint"],
        # paced real-time play: frames read but skipped while the processing was busy
        "frames_skipped": frames_read - len(frames) if frames_read is not None else None,
        # newest-only rule in the controller, counted from this play's first frame
        "stale_frames_dropped": camera.dropped - stamps.get("dropped_at_first", camera.dropped),
        "displayed_fps": round(len(frames) / duration, 2) if duration else None,
        "wall_fps": round((len(frames) - 1) / wall, 2) if wall > 0 else None,
        "first_to_last_frame_s": round(wall, 3),
        "lin_manuel_row": LIN in stamps,
        "lin_manuel_row_after_s": since(stamps.get(LIN), first),
        "attendance_names": live.attendance.names(),
        "clip_ended": ended,
        "errors": errors,
        "notices": notices,
        "load_average_end": list(os.getloadavg()),
    })
    print(f"live: {len(frames)} frames displayed over the {duration:.2f} s clip "
          f"({result['displayed_fps']} fps); {LIN} row: {result['lin_manuel_row']} "
          f"after {result['lin_manuel_row_after_s']} s", flush=True)
    return result


if __name__ == "__main__":
    raise SystemExit(main())
