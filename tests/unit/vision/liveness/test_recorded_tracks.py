"""The motion cues on recorded FaceMesh output (tests/unit/vision/liveness/data/README.md): a
validation print the earlier setting accepted stays not-live under the chosen default because
motion must show in two disjoint pairs; a real head in the Hamilton clip still goes live fast."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import numpy as np
import pytest

from attendance_app.vision.liveness.liveness_judge import Measurement, TrackJudge, replay
from attendance_app.vision.liveness.liveness_state import LivenessConfig

DATA = np.load(Path(__file__).parent / "data" / "recorded_meshes.npz")
# The recordings hold landmarks only (no image patches), so the landmark half of the default
# rule (its thresholds, without the pixel agreement) is tested alone.
LANDMARKS = dataclasses.replace(LivenessConfig(), pixel_rule="off")
EARLIER = dataclasses.replace(LANDMARKS, planar_residual=0.035, nonrigid_residual=0.035,
                              disjoint_pairs=False)  # the default before validation grew


def _samples(name: str) -> list[Measurement]:
    out = []
    for t, usable, centre, offsets, size in zip(
            DATA[f"{name}_t"], DATA[f"{name}_usable"], DATA[f"{name}_centre"],
            DATA[f"{name}_offsets"], DATA[f"{name}_size"]):
        points = (centre + offsets.astype(np.float64) / 100).astype(np.float32)
        out.append(Measurement(float(t), float(size), None, points)
                   if usable else Measurement(float(t), float(size), "face at the frame edge"))
    return out


def _first_live(samples: list[Measurement], config: LivenessConfig) -> float | None:
    return next((s.time_s for s, st in zip(samples, replay(samples, config)) if st.is_live), None)


def test_the_recorded_print_fooled_the_earlier_setting_but_not_the_default() -> None:
    samples = _samples("print")
    assert _first_live(samples, EARLIER) is not None  # the failure the data records...
    states = replay(samples, LANDMARKS)
    assert not any(s.is_live for s in states)  # ...is gone with the chosen landmark rule
    assert states[-1].status == "unknown"  # 3.1 s of usable samples: not yet suspect


def test_overlapping_pairs_over_the_threshold_count_once_with_disjoint_pairs() -> None:
    samples = _samples("print")
    counts = {}
    for disjoint in (False, True):
        cfg = dataclasses.replace(EARLIER, disjoint_pairs=disjoint,
                                  motion_pairs_live=100)  # count evidence, never go live
        judge = TrackJudge(cfg)
        for s in samples:
            judge.judge(s)
        counts[disjoint] = judge.rotation + judge.nonrigid
    assert counts[False] == 2  # pairs 1.1-1.4 s and 1.4-1.7 s share the 1.4 s sample...
    assert counts[True] == 1  # ...so only the first counts


def test_the_recorded_real_head_goes_live_within_two_seconds() -> None:
    live_at = _first_live(_samples("real"), LANDMARKS)
    assert live_at is not None and live_at <= 2.0


def test_pinned_points_shrink_the_residual_of_real_motion_and_of_the_print_alike() -> None:
    """Why motion_points stays "all": on the recorded tracks, the texture-pinned points scale
    both the real head's and the print's residuals down by about the same factor."""
    ratios = {}
    for name in ("print", "real"):
        residuals = {}
        for points in ("all", "pinned"):
            judge = TrackJudge(dataclasses.replace(LANDMARKS, motion_points=points))
            values = []
            for s in _samples(name):
                judge.judge(s)
                if judge.last_motion is not None:
                    values.append(judge.last_motion.planar)
            residuals[points] = float(np.quantile(values, 0.9))
        ratios[name] = residuals["pinned"] / residuals["all"]
    assert ratios["print"] < 1 and ratios["real"] < 1
    assert ratios["print"] == pytest.approx(ratios["real"], abs=0.15)
