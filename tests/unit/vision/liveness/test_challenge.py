"""The blink / head-turn challenge checker on landmark sequences (vision/liveness/challenge.py).

The sequences are the synthetic 3-D face of the cue tests: a real head turns in depth (rigid 3-D
rotation), a photo is its frontal projection moved by homographies (tilt, turn, approach)."""

from __future__ import annotations

import random

import numpy as np
import pytest

from attendance_app.vision.liveness.challenge import (NOSE_TIP, LivenessChallenge, hint_for,
                                                      pick_kind, yaw_proxy)
from liveness_synthetic_face import face_points, rotate, to_frame

FPS = 10.0  # samples per second (detection rate of the live view)


def _face(eye_open: float = 1.0) -> np.ndarray:
    pts = face_points(eye_open)
    pts[NOSE_TIP] = (0.0, 5.0, -45.0)  # the nose stands out of the face towards the camera
    return pts


def _turn_perspective(deg: float) -> np.ndarray:
    """The homography of a flat card turned by `deg` about its vertical axis, seen from 400
    units away (a photo turned by hand: real perspective, still one plane)."""
    a = np.radians(deg)
    f, cx, cy = 400.0, 320.0, 240.0
    k = np.array([[f, 0, cx], [0, f, cy], [0, 0, 1]])
    r = np.array([[np.cos(a), 0, np.sin(a)], [0, 1, 0], [-np.sin(a), 0, np.cos(a)]])
    t = np.array([0, 0, f])
    # plane z=0 in card coordinates (centred on the principal point)
    h_card = k @ np.column_stack([r[:, 0], r[:, 1], t])
    shift = np.array([[1, 0, -cx], [0, 1, -cy], [0, 0, 1]])
    h = h_card @ np.diag([1 / f, 1 / f, 1.0]) @ np.diag([f, f, 1.0]) @ shift
    return h / h[2, 2]


def _run(challenge: LivenessChallenge, frames: list[np.ndarray | None], start: float = 0.0,
         reason: str | None = None):
    status = None
    for i, xy in enumerate(frames):
        status = challenge.update(start + i / FPS, xy, reason if xy is None else None)
    return status


def test_a_head_turning_in_depth_passes_the_turn_challenge() -> None:
    face = _face()
    frames = [to_frame(rotate(face, yaw))[:, :2] for yaw in np.linspace(0, 25, 15)]
    status = _run(LivenessChallenge("turn", 0.0), frames)
    assert status.passed and status.text == "Thank you"
    assert abs(yaw_proxy(frames[-1]) - yaw_proxy(frames[0])) > 0.12


@pytest.mark.parametrize("deg", [10, 25, 40])
def test_a_photo_turned_by_hand_never_passes_the_turn_challenge(deg: float) -> None:
    flat = to_frame(_face())
    frames = [to_frame(_face(), homography=_turn_perspective(d))[:, :2]
              for d in np.linspace(0, deg, 30)] + [flat[:, :2]] * 25
    challenge = LivenessChallenge("turn", 0.0, timeout_s=5.0)
    status = _run(challenge, frames)
    assert challenge.outcome == "failed" and not status.passed


def test_a_small_nod_is_not_a_turn() -> None:
    face = _face()
    frames = [to_frame(rotate(face, 3 * np.sin(i / 3)))[:, :2] for i in range(60)]
    assert _run(LivenessChallenge("turn", 0.0), frames).outcome == "failed"


def test_a_blink_passes_the_blink_challenge_and_open_eyes_time_out() -> None:
    open_, shut = to_frame(_face(1.0))[:, :2], to_frame(_face(0.2))[:, :2]
    blink = [open_] * 8 + [shut, shut] + [open_] * 3
    assert _run(LivenessChallenge("blink", 0.0), blink).passed
    photo = [open_] * 60  # a photo's eyes never close
    status = _run(LivenessChallenge("blink", 0.0), photo)
    assert status.outcome == "failed" and status.text.endswith("not seen in time")


def test_turning_is_no_answer_to_a_blink_request() -> None:
    face = _face()
    frames = [to_frame(rotate(face, yaw))[:, :2] for yaw in np.linspace(0, 25, 60)]
    assert _run(LivenessChallenge("blink", 0.0), frames).outcome == "failed"


@pytest.mark.parametrize(("reason", "hint"), [
    ("face too small for eyelid landmarks (32 px < 40)", "come closer"),
    ("too dark to judge", "more light, please"),
    ("too little contrast to judge", "more light, please"),
    ("face at the frame edge", "move to the centre of the picture"),
    ("no face landmarks found", "face the camera"),
])
def test_an_unusable_picture_gives_a_hint_and_can_only_time_out(reason: str, hint: str) -> None:
    challenge = LivenessChallenge("blink", 0.0, timeout_s=3.0)
    status = challenge.update(0.5, None, reason)
    assert status.outcome == "waiting" and status.hint == hint and hint in status.text
    assert hint_for(reason) == hint
    assert _run(challenge, [None] * 40, start=0.6, reason=reason).outcome == "failed"


def test_a_response_after_the_time_is_up_does_not_count() -> None:
    face = _face()
    challenge = LivenessChallenge("turn", 0.0, timeout_s=2.0)
    _run(challenge, [to_frame(face)[:, :2]] * 25)  # 2.5 s of nothing
    late = [to_frame(rotate(face, yaw))[:, :2] for yaw in np.linspace(0, 25, 15)]
    assert _run(challenge, late, start=2.5).outcome == "failed"


def test_the_remaining_time_counts_down() -> None:
    challenge = LivenessChallenge("blink", 10.0, timeout_s=5.0)
    assert challenge.update(11.0, None, "too dark to judge").remaining_s == pytest.approx(4.0)
    assert "4 s" in challenge.update(11.0, None, "too dark to judge").text


def test_the_kind_is_random_between_blink_and_turn() -> None:
    rng = random.Random(3)
    kinds = {pick_kind(rng) for _ in range(40)}
    assert kinds == {"blink", "turn"}
    with pytest.raises(ValueError):
        LivenessChallenge("smile", 0.0)  # type: ignore[arg-type]


def test_single_sample_landmark_jitter_on_a_photo_is_not_a_turn() -> None:
    # FaceMesh on a small face on a phone screen: now and then one sample's nose jumps by
    # 0.15-0.17 with a planar residual of ~0.05 (measured on generated attacks)
    rng = np.random.default_rng(0)
    base = to_frame(_face())[:, :2]
    frames = []
    for i in range(60):
        xy = base + rng.normal(0, 0.2, base.shape)
        if i % 5 == 4:  # an isolated spike: the nose and a few points off by a lot
            xy = xy.copy()
            xy[NOSE_TIP, 0] += 18.0
            xy[:40] += rng.normal(0, 3.0, (40, 2))
        frames.append(xy)
    challenge = LivenessChallenge("turn", 0.0)
    assert _run(challenge, frames).outcome == "failed"


def test_another_face_becoming_the_largest_restarts_the_turn_instead_of_passing() -> None:
    near = to_frame(_face(), centre=(200.0, 240.0))[:, :2]
    other = to_frame(rotate(_face(), 25), centre=(460.0, 240.0), scale=1.6)[:, :2]
    frames = [near] * 5 + [other] * 50  # someone else, already turned, steps in front
    assert _run(LivenessChallenge("turn", 0.0), frames).outcome == "failed"
