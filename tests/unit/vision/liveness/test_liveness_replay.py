"""Recorded measurements replay the monitor exactly, and survive a save / load."""

from __future__ import annotations

import dataclasses

import numpy as np
from liveness_synthetic_face import face_points, rotate, to_frame
from test_liveness_monitor import EYES, LANDMARKS, ScriptedLandmarker, _frame

from attendance_app.domain.face_box import FaceBox
from attendance_app.services.benchmarks.liveness_traces import (
    RecordedTrack,
    load_tracks,
    save_tracks,
)
from attendance_app.vision.liveness.liveness_judge import replay
from attendance_app.vision.liveness.liveness_monitor import LivenessMonitor
from attendance_app.vision.liveness.liveness_state import LivenessConfig


def _traced_run(config: LivenessConfig) -> tuple[LivenessMonitor, list]:
    face = face_points()
    meshes = [None, None] + [to_frame(rotate(face, yaw_deg=6 * np.sin(i / 4))) for i in range(30)]
    monitor = LivenessMonitor(ScriptedLandmarker(meshes), config, trace=True)
    boxes = [FaceBox(300, 200, 330, 232)] + [FaceBox(260, 160, 380, 320)] * (len(meshes) - 1)
    frame = _frame()
    # the first sample is too small (a reason, no mesh call), the second finds no landmarks
    states = []
    for i, box in enumerate(boxes):
        states.append(monitor.update(3, frame, box, EYES, i / 10))
    return monitor, states


def test_replaying_recorded_measurements_gives_the_monitors_states() -> None:
    config = LANDMARKS  # scripted meshes over a still frame: the landmark rule alone
    monitor, states = _traced_run(config)
    samples = monitor.measurements_of(3)
    assert len(samples) == len(states)
    assert samples[0].reason is not None and "too small" in samples[0].reason
    assert samples[1].reason == "no face landmarks found"
    assert any(s.is_live for s in states)  # the turning head goes live...
    assert replay(samples, config) == states  # ...and the replay says so at the same sample
    stricter = dataclasses.replace(config, motion_pairs_live=50)
    assert not any(s.is_live for s in replay(samples, stricter))  # a setting changes the verdict


def test_saved_tracks_load_back_and_replay_the_same(tmp_path) -> None:
    config = LANDMARKS
    monitor, states = _traced_run(config)
    path = tmp_path / "traces.json.gz"
    save_tracks(path, [RecordedTrack("real:clip.mp4", 3, 0.0, 3.1, monitor.measurements_of(3))])
    (track,) = load_tracks(path)
    assert track.video == "real:clip.mp4" and not track.is_attack and track.track_id == 3
    original = monitor.measurements_of(3)
    assert [s.reason for s in track.samples] == [s.reason for s in original]
    np.testing.assert_allclose(track.samples[5].points, original[5].points, atol=0.006)
    assert original[5].patch is not None  # the face patch the pixel-motion cue tracks...
    np.testing.assert_array_equal(track.samples[5].patch, original[5].patch)  # ...lossless
    assert track.samples[0].patch is None  # an unusable sample keeps none
    assert [s.status for s in replay(track.samples, config)] == [s.status for s in states]


def test_a_file_of_another_format_is_refused(tmp_path) -> None:
    import gzip

    import pytest

    path = tmp_path / "old.json.gz"
    with gzip.open(path, "wt") as fh:
        fh.write('{"real:x": []}')
    with pytest.raises(ValueError, match="not a liveness trace file"):
        load_tracks(path)


def test_the_threshold_script_replays_saved_traces(tmp_path) -> None:
    """scripts/liveness_choose_thresholds.py on a real (turning) and an attack (flat) track:
    the default accepts the real one and not the attack; a setting asking 50 pairs, neither."""
    import ast
    import subprocess
    import sys
    from pathlib import Path

    monitor, _ = _traced_run(LANDMARKS)
    real = monitor.measurements_of(3)
    flat = [dataclasses.replace(s, points=None if s.points is None else real[2].points)
            for s in real]  # the same picture every sample: no motion at all
    path = tmp_path / "t.json.gz"
    save_tracks(path, [RecordedTrack("real:clip.mp4", 3, 0.0, 3.1, real),
                       RecordedTrack("attack:a.mp4", 1, 0.0, 3.1, flat)])
    script = Path(__file__).resolve().parents[4] / "scripts" / "liveness_choose_thresholds.py"

    def run(*config: str) -> dict:
        out = subprocess.run([sys.executable, str(script), "--real", str(path), "--attack",
                              str(path), "--config", *config], capture_output=True, text=True,
                             check=True, timeout=120).stdout
        return ast.literal_eval(out.strip().splitlines()[-1])

    default = run("pixel_rule=off")  # the still frame's pixels agree with no motion
    assert default["apcer"] == 0.0 and default["bpcer"] == 0.0 and default["assessed"] == 1
    assert run("pixel_rule=and")["bpcer"] == 1.0  # with the pixel agreement the still frame never goes live
    strict = run("pixel_rule=off", "motion_pairs_live=50")
    assert strict["bpcer"] == 1.0 and strict["apcer"] == 0.0
