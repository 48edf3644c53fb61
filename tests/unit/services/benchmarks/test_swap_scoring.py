"""score_labels counts wrong names against a swap-video truth file; LabelWriter writes the
issue's line format; BusyLoad starts and stops its processes."""

from __future__ import annotations

import io
import json

from attendance_app.domain.face_box import FaceBox
from attendance_app.services.benchmarks.background_load import BusyLoad
from attendance_app.services.benchmarks.live_benchmark import LabelWriter
from attendance_app.services.benchmarks.swap_video import score_labels
from attendance_app.vision.live_recognizer import FrameResult, TrackView

RECT = [220, 80, 420, 280]


def _truth(tmp_path):
    rows = [{"frame": 0, "faces": [{"box": RECT, "identity": "Ada", "enrolled": True, "weight": 1.0}]},
            {"frame": 1, "faces": [{"box": RECT, "identity": "Ada", "enrolled": True, "weight": 0.4},
                                   {"box": RECT, "identity": "Zed", "enrolled": False, "weight": 0.6}]},
            {"frame": 2, "faces": [{"box": RECT, "identity": "Zed", "enrolled": False, "weight": 1.0}]}]
    path = tmp_path / "truth.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in rows))
    return path


def _result(frame: int, name: str | None) -> FrameResult:
    view = TrackView(1, FaceBox(260, 120, 380, 240), "confirmed" if name else "checking",
                     1 if name else None, 0.7, name)
    return FrameResult(frame, frame / 30, [view], [], [], {}, 0)


def test_a_name_on_the_dominant_stranger_is_wrong_and_the_right_name_is_not(tmp_path) -> None:
    stream = io.StringIO()
    writer = LabelWriter(stream)
    for frame, name in [(0, "Ada"), (1, "Ada"), (2, None)]:
        writer.write("fast", _result(frame, name))
    for frame in range(3):
        writer.write("paced", _result(frame, None))
    first = json.loads(stream.getvalue().splitlines()[0])
    assert first == {"pass": "fast", "frame": 0, "tracks": [
        {"box": [260.0, 120.0, 380.0, 240.0], "name": "Ada", "state": "confirmed",
         "similarity": 0.7}]}
    labels = tmp_path / "labels.jsonl"
    labels.write_text(stream.getvalue())
    scores = score_labels(labels, _truth(tmp_path))
    assert scores["fast"] == {"frames": 3, "named_track_frames": 2,
                              "wrong_name_track_frames": 1, "name_on_stranger_track_frames": 1}
    assert scores["paced"]["named_track_frames"] == 0


def test_the_loaded_repeat_is_scored_as_passes_of_its_own(tmp_path) -> None:
    stream = io.StringIO()
    idle, loaded = LabelWriter(stream), LabelWriter(stream, "_loaded")
    for frame in range(3):
        idle.write("paced", _result(frame, None))
        loaded.write("paced", _result(frame, "Ada"))
    labels = tmp_path / "labels.jsonl"
    labels.write_text(stream.getvalue())
    scores = score_labels(labels, _truth(tmp_path))
    assert set(scores) == {"paced", "paced_loaded"}
    assert scores["paced"]["named_track_frames"] == 0
    assert scores["paced_loaded"] == {"frames": 3, "named_track_frames": 3,
                                      "wrong_name_track_frames": 2,
                                      "name_on_stranger_track_frames": 2}


def test_busy_load_runs_its_processes_only_inside_the_block() -> None:
    with BusyLoad(1, settle_s=0.1) as load:
        assert load.alive == 1
    assert load.alive == 0
