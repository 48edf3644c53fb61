"""Screenshots of every tab of the real window, with real data, under Xvfb.

Usage: .venv/bin/python scripts/take_screenshots.py [--out docs/screenshots]
Starts `Xvfb :99` (1920x1080) unless DISPLAY is already set, uses a temporary data dir, enrols
people from ../shared/datasets photos, plays the Hamilton clip in a session, and saves
docs/screenshots/<tab>_<width>x<height>.png at 1280x800 and 1920x1080. Needs xvfb and the xcb
libraries listed in DESIGN.md section 4 (libxcb-cursor0, libxcb-icccm4, libxcb-keysyms1).
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
SIZES = ((1280, 800), (1920, 1080))


def start_xvfb() -> subprocess.Popen | None:
    if os.environ.get("DISPLAY"):
        return None
    proc = subprocess.Popen(["Xvfb", ":99", "-screen", "0", "1920x1080x24", "-nolisten", "tcp"])
    os.environ["DISPLAY"] = ":99"
    time.sleep(1.5)
    return proc


def wait(app, predicate, timeout_s: float) -> bool:
    end = time.monotonic() + timeout_s
    while time.monotonic() < end:
        app.processEvents()
        if predicate():
            return True
        time.sleep(0.02)
    return False


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--out", default=str(ROOT / "docs" / "screenshots"))
    parser.add_argument("--no-train", action="store_true",
                        help="skip the real fine-tune (minutes on a small machine): the "
                             "Training tab is shot before any run")
    args = parser.parse_args()
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    xvfb = start_xvfb()
    os.environ["QT_QPA_PLATFORM"] = "xcb"
    try:
        return take(out, train=not args.no_train)
    finally:
        if xvfb is not None:
            xvfb.terminate()


def take(out: Path, train: bool = True) -> int:
    from attendance_app.config import datasets_dir
    from attendance_app.gui.app import create_window, ensure_application

    data = datasets_dir()
    video = data / "face_recognition_video"
    examples = data / "face_recognition_examples"
    app = ensure_application()
    errors: list[tuple[str, str]] = []
    started = time.perf_counter()
    window = create_window(tempfile.mkdtemp(prefix="attendance-shots-"),
                           error_sink=lambda t, x: errors.append((t, x)),
                           camera_spec=str(video / "short_hamilton_clip.mp4"))
    window.resize(*SIZES[0])
    window.show()
    wait(app, window.isVisible, 5)
    app.processEvents()
    print(f"window visible after {time.perf_counter() - started:.2f} s")
    window.start_loading()
    if not wait(app, lambda: window.models_ready or bool(errors), 600):
        print("models did not load", errors)
        return 1
    print(f"models ready after {time.perf_counter() - started:.1f} s")
    backend = window.backend
    enrol = [("Lin-Manuel Miranda", None, "Cast", [video / "lin-manuel-miranda.png"]),
             ("Alex Lacamoire", None, "Cast", [video / "alex-lacamoire.png"]),
             ("Renée Elise Goldsberry", "S-012", "Cast", [examples / "rose_leslie" / "img1.jpg"]),
             ("Barack Obama", "S-044", "Guests", sorted((examples / "obama").iterdir())),
             ("Joe Biden", "S-046", "Guests", sorted((examples / "biden").iterdir()))]
    for name, ext, group, photos in enrol:
        crops = [c.crop for c in map(backend.check_photo, photos) if c.accepted]
        backend.enrol(name, ext, group, crops, "screenshot script")
    window._on_people_changed()
    live = window.live_tab
    # real-time mode, as users get it (the clip plays at its own rate, frames are skipped
    # when the machine is slower); the roster "Cast" lists who is not seen yet
    live.start_source(str(video / "short_hamilton_clip.mp4"))
    live.controls.name_edit.setText("Hamilton rehearsal")
    live.controls.roster_combo.setCurrentIndex(live.controls.roster_combo.findData("Cast"))
    live.controls.start_button.click()
    wait(app, lambda: "Lin-Manuel Miranda" in live.attendance.names(), 600)
    window.camera.stop()  # freeze the last frame and its boxes for identical shots at both sizes
    renee = next(p for p in backend.people() if p.name.startswith("Renée"))
    backend.correct_record(live.session.id, renee.id, "excused", "at the dentist",
                           "screenshot script")
    live.reload_rows()
    live.attendance.select_person(renee.id)
    for w, h in SIZES:
        window.resize(w, h)
        wait(app, lambda: False, 0.5)
        window.tabs.setCurrentWidget(live)
        shoot(app, window, out / f"live_{w}x{h}.png")
    live.show_summary = lambda title, text: None
    live.stop_session()
    sessions = window.sessions_tab
    sessions.refresh()
    sessions.select_session(live.session.id)
    tab = window.enrol_tab
    tab.guidance.reset()
    for photo in sorted((examples / "kit_harington").iterdir()):
        check = backend.check_photo(photo)
        if check.accepted:
            tab.guidance.accept(check.crop, from_photo=True)
    check = backend.check_photo(examples / "_multi_face" / "two_people.jpg")
    tab.guidance.refuse("; ".join(check.reasons))
    tab.form.name_edit.setText("Kit Harington")
    tab.form.id_edit.setText("S-101")
    tab.form.group_combo.setEditText("Guests")
    tab.form.consent_box.setChecked(True)
    from PySide6.QtGui import QImage

    tab.preview.set_still(QImage(str(sorted((examples / "kit_harington").iterdir())[-1])))
    window.show_status(f"Ready — {backend.active_model_name()}")
    training = window.training_tab  # a real short fine-tune: enrolled + 12 AT&T people
    subset = Path(tempfile.mkdtemp(prefix="attendance-train-"))
    for k in range(1, 13):
        (subset / f"s{k}").symlink_to(data / "att_faces" / f"s{k}", target_is_directory=True)
    training.refresh()
    training.data_box.set_folder(subset)
    training.data_box.crops_box.setChecked(True)
    training.advanced.set_expanded(True)
    training.advanced.epochs_spin.setValue(3)
    if train and training.start():
        wait(app, lambda: not training.training, 600)
        print("training:", training.phase_label.text())
    reports = window.reports_tab  # the rehearsal just held, as a session report
    reports.refresh()
    reports.filters.set_view("session")
    reports.show_report()
    for name, widget in (("sessions", sessions), ("enrol", tab), ("people", window.people_tab),
                         ("settings", window.settings_tab), ("training", window.training_tab),
                         ("reports", window.reports_tab)):
        for w, h in SIZES:
            window.resize(w, h)
            window.tabs.setCurrentWidget(widget)
            wait(app, lambda: False, 0.3)
            shoot(app, window, out / f"{name}_{w}x{h}.png")
    print("errors shown:", errors)
    window.close()
    return 0


def shoot(app, window, path: Path) -> None:
    app.processEvents()
    window.grab().save(str(path))
    print("saved", path.relative_to(ROOT) if path.is_relative_to(ROOT) else path)


if __name__ == "__main__":
    raise SystemExit(main())
