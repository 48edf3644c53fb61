"""Identity re-verification (ADR 11): a name stays on the face it belongs to.

Faces are drawn into real frames (a textured patch per face number under its box), so the cut
detector and the face signatures see real pixel changes; detector and embedder are scripted
stand-ins as in test_live_recognizer.py (the crop carries the face number, the embedder returns
a scripted match per embedding of that face). The frames are static apart from the faces, so
the pipeline also reports them as an unchanged picture every 30 frames; the tests ignore that.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

import cv2
import numpy as np
import pytest

from attendance_app.domain.detection import Detection, FaceQuality
from attendance_app.domain.face_box import FaceBox
from attendance_app.vision.frame_source import Frame
from attendance_app.vision.gallery import Gallery
from attendance_app.vision.live_recognizer import LiveRecognizer, LiveRecognizerConfig

ADA, BOB = 1, 2
GALLERY = Gallery.from_arrays(np.eye(512, dtype=np.float32)[[ADA, BOB]], np.array([ADA, BOB]))
SIZE = 80
Y = 100


def _vector(person: int | None, similarity: float, other: int = 100) -> np.ndarray:
    v = np.zeros(512, np.float32)
    if person is not None:
        v[person] = similarity
    v[other] = np.sqrt(max(0.0, 1.0 - similarity ** 2))
    return v


def _texture(face_no: int) -> np.ndarray:
    rng = np.random.default_rng(face_no + 7)
    small = rng.integers(0, 255, (8, 8, 3)).astype(np.uint8)
    return np.kron(small, np.ones((SIZE // 8, SIZE // 8, 1), np.uint8))


Placement = Callable[[int], float | None]  # frame index -> x of the face's box, or None


class Scene:
    """Faces (face number -> placement), a backdrop that may change (a shot cut), and a
    scripted detector/embedder reading them. `votes[face_no]` is consumed one per embedding."""

    def __init__(self, faces: dict[int, Placement], votes: dict[int, list[tuple[int | None, float]]],
                 backdrop: Callable[[int], int] = lambda i: 60,
                 shape: Callable[[int], tuple[int, int]] = lambda i: (360, 640)) -> None:
        self.faces, self.votes = faces, {k: list(v) for k, v in votes.items()}
        self.backdrop, self.shape = backdrop, shape
        self.embedded: list[tuple[int, int]] = []  # (frame index, face number)

    def frame(self, i: int) -> Frame:
        h, w = self.shape(i)
        rgb = np.full((h, w, 3), self.backdrop(i), np.uint8)
        rgb[0, 0, 0], rgb[0, 0, 1] = i % 256, i // 256  # the detector reads the index here
        for face_no, where in self.faces.items():
            x = where(i)
            if x is not None:
                rgb[Y:Y + SIZE, int(x):int(x) + SIZE] = _texture(face_no)
        return Frame(i, i / 30.0, rgb)

    def _index(self, rgb: np.ndarray) -> int:
        return int(rgb[0, 0, 0]) + 256 * int(rgb[0, 0, 1])

    def detect(self, rgb: np.ndarray, scale: float = 1.0) -> list[Detection]:
        i = self._index(rgb)
        out = []
        for face_no, where in self.faces.items():
            x = where(i)
            if x is not None:
                marks = tuple((x + SIZE * a, Y + SIZE * b) for a, b in
                              [(0.3, 0.4), (0.7, 0.4), (0.5, 0.6), (0.35, 0.8), (0.65, 0.8)])
                out.append(Detection(FaceBox(int(x), Y, int(x) + SIZE, Y + SIZE), 0.99, marks,
                                     FaceQuality(SIZE, 100.0, 0.0)))
        return out

    def crop(self, rgb: np.ndarray, detection: Detection) -> np.ndarray:
        i = self._index(rgb)
        face_no = next(k for k, w in self.faces.items()
                       if w(i) is not None and int(w(i)) == int(detection.box.x1))
        crop = np.full((160, 160, 3), face_no, np.uint8)
        crop[1, 1, 1] = i % 256
        return crop

    def embed(self, crops: np.ndarray) -> np.ndarray:
        rows = []
        for crop in crops:
            face_no = int(crop[0, 0, 0])
            self.embedded.append((int(crop[1, 1, 1]), face_no))
            vote = self.votes[face_no].pop(0) if self.votes[face_no] else (None, 0.1)
            # Each face's embeddings share a face-specific direction (as one person's do) and
            # are near-orthogonal to other faces' (as different people's are).
            rows.append(_vector(*vote, other=100 + face_no))
        return np.stack(rows)


def _run(scene: Scene, frames: int, **config) -> tuple[LiveRecognizer, list]:
    cfg = LiveRecognizerConfig(**{"detect_every_frames": 3, "check_every_frames": 3, **config})
    recognizer = LiveRecognizer(scene, scene, lambda: GALLERY, cfg,
                                name_of={ADA: "Ada", BOB: "Bob"}.get)
    results = [recognizer.process(scene.frame(i)) for i in range(frames)]
    return recognizer, results


def _names(results, from_frame: int = 0, to_frame: int = 10**9) -> set[str | None]:
    return {t.name for r in results if from_frame <= r.frame_index < to_frame for t in r.tracks}


def test_a_shot_cut_ends_every_track_and_its_name_at_once() -> None:
    # Ada confirmed on frames 0, 3, 6; at frame 20 the shot cuts (the backdrop changes) and Bob
    # is in the same place.
    scene = Scene({0: lambda i: 100 if i < 20 else None, 1: lambda i: 100 if i >= 20 else None},
                  {0: [(ADA, 0.8)] * 3, 1: [(BOB, 0.8)] * 3},
                  backdrop=lambda i: 60 if i < 20 else 200)
    recognizer, results = _run(scene, 40)
    assert "Ada" in _names(results, 9, 20)
    assert _names(results, 20) <= {None, "Bob"}
    before = {t.track_id for r in results[:20] for t in r.tracks}
    after = {t.track_id for r in results[20:] for t in r.tracks}
    assert before.isdisjoint(after)
    assert results[20].events == ("shot cut",)
    assert [r.tracks[0].state for r in results[20:21]] == ["checking"]
    assert [s.person_id for r in results for s in r.sightings] == [ADA, BOB]
    assert recognizer.stats.cuts == 1


def test_a_face_replaced_in_place_loses_its_name_on_the_first_frame_it_shows() -> None:
    # No cut (the backdrop stays): Ada's face is replaced by a stranger's at frame 31, which is
    # not a detection frame; the name must go on frame 31 itself, not at the next detection.
    scene = Scene({0: lambda i: 100 if i < 31 else None, 1: lambda i: 100 if i >= 31 else None},
                  {0: [(ADA, 0.8)] * 3, 1: [(None, 0.1)] * 20})
    recognizer, results = _run(scene, 80)
    assert "Ada" in _names(results, 9, 31)
    assert _names(results, 31) == {None}
    assert not any("shot cut" in r.events for r in results)  # the face check did it
    # The stranger's track is a new one and becomes one unknown with the stranger's crop.
    [unknown] = [u for r in results for u in r.unknowns]
    assert int(unknown.crop[0, 0, 0]) == 1
    assert unknown.track_id not in {t.track_id for r in results[:31] for t in r.tracks}
    assert recognizer.stats.tracks_ended_by_verification == 1


def test_votes_never_cross_a_change_of_face() -> None:
    # Two votes for Ada, then the face under the box becomes Bob's; Bob's first embedding must
    # not inherit Ada's track (nor Ada's votes): Bob is confirmed by three votes of his own, on
    # a track of his own.
    scene = Scene({0: lambda i: 100 if i < 5 else None, 1: lambda i: 100 if i >= 5 else None},
                  {0: [(ADA, 0.8)] * 2, 1: [(BOB, 0.8)] * 3})
    _, results = _run(scene, 30)
    [sighting] = [s for r in results for s in r.sightings]
    assert sighting.person_id == BOB
    assert sighting.frame_index == 12  # Bob embedded on frames 6, 9, 12
    ada_tracks = {t.track_id for r in results[:5] for t in r.tracks}
    assert sighting.track_id not in ada_tracks


def test_a_confirmed_track_whose_re_embedding_matches_someone_else_ends() -> None:
    # The face region changes a little (a different texture) and the verification embedding
    # matches Bob: Ada's track ends, the new track has to earn Bob's name with its own votes.
    scene = Scene({0: lambda i: 100 if i < 30 else None, 1: lambda i: 100 if i >= 30 else None},
                  {0: [(ADA, 0.8)] * 3, 1: [(BOB, 0.8)] * 3})
    recognizer, results = _run(scene, 60)
    assert _names(results, 30) <= {None, "Bob"}
    assert [s.person_id for r in results for s in r.sightings] == [ADA, BOB]
    assert recognizer.stats.verifications >= 1


def test_a_box_that_jumps_is_re_embedded_at_once() -> None:
    # Ada confirmed; at frame 30 the detection lies 45 px to the right (IoU with the predicted
    # box about 0.3, still matched by the tracker): the track is verified on that detection.
    scene = Scene({0: lambda i: 100 if i < 30 else 145}, {0: [(ADA, 0.8)] * 5})
    recognizer, results = _run(scene, 40, min_iou=0.25)
    assert (30, 0) in scene.embedded
    assert len({t.track_id for r in results for t in r.tracks}) == 1  # same face: it agrees
    assert "Ada" in _names(results, 31)


def test_a_steady_confirmed_face_is_not_re_embedded() -> None:
    scene = Scene({0: lambda i: 100}, {0: [(ADA, 0.8)] * 5})
    recognizer, _ = _run(scene, 90)
    assert [f for f, _ in scene.embedded] == [0, 3, 6]
    assert recognizer.stats.verifications == 0


def test_a_new_frame_size_mid_stream_ends_the_tracks_and_says_so() -> None:
    scene = Scene({0: lambda i: 100}, {0: [(ADA, 0.8)] * 10},
                  shape=lambda i: (360, 640) if i < 20 else (480, 848))
    _, results = _run(scene, 40)
    assert results[20].events == ("frame size changed",)
    assert results[20].tracks == [] or results[20].tracks[0].name is None
    assert {t.track_id for t in results[19].tracks}.isdisjoint(
        {t.track_id for t in results[25].tracks})


def test_a_black_frame_is_reported() -> None:
    scene = Scene({0: lambda i: 100 if i < 10 else None}, {0: [(None, 0.1)] * 5},
                  backdrop=lambda i: 60 if i < 10 else 0)
    _, results = _run(scene, 15)
    assert "black frame" in results[12].events
    assert results[12].tracks == []


class _SlowScene(Scene):
    def detect(self, rgb: np.ndarray, scale: float = 1.0) -> list[Detection]:
        time.sleep(0.03)
        return super().detect(rgb, scale)


def test_with_background_detection_a_result_from_before_a_cut_is_dropped() -> None:
    # Detection takes 30 ms while frames come every ~8 ms: whatever was being detected when the
    # shot cut is older than the cut and must not put Ada's track back on Bob's face.
    scene = _SlowScene({0: lambda i: 100 if i < 40 else None, 1: lambda i: 100 if i >= 40 else None},
                       {0: [(ADA, 0.8)] * 50, 1: [(None, 0.1)] * 50},
                       backdrop=lambda i: 60 if i < 40 else 200)
    recognizer = LiveRecognizer(scene, scene, lambda: GALLERY,
                                LiveRecognizerConfig(async_detection=True, check_every_frames=1),
                                name_of={ADA: "Ada"}.get)
    try:
        results = []
        for i in range(80):
            results.append(recognizer.process(scene.frame(i)))
            time.sleep(1 / 120)
    finally:
        recognizer.close()
    assert "Ada" in _names(results, 0, 40)
    assert _names(results, 40) == {None}
    assert results[40].tracks == []  # gone on the cut frame itself
    assert all(s.frame_index < 40 for r in results for s in r.sightings)
    assert recognizer.stats.stale_detections >= 1


class _GatedScene(Scene):
    """Detections of chosen frames are held on the worker until the test lets them go, so a
    result computed before the face changed can be made to land after the change. Face 1 (the
    stranger) is drawn with face 0's texture: a look-alike that the face signature cannot tell
    apart, only the embedder can."""

    def __init__(self, *args, gates: list[int], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.gates = [(first, threading.Event(), threading.Event()) for first in gates]
        self.held: list[int] = []

    def frame(self, i: int) -> Frame:
        frame = super().frame(i)
        if self.faces[1](i) is not None:
            frame.rgb[Y:Y + SIZE, 100:100 + SIZE] = _texture(0)
        return frame

    def detect(self, rgb: np.ndarray, scale: float = 1.0) -> list[Detection]:
        i = self._index(rgb)
        if self.gates and i >= self.gates[0][0]:
            _, release, done = self.gates.pop(0)
            self.held.append(i)
            release.wait(10)
            out = super().detect(rgb, scale)
            done.set()
            return out
        return super().detect(rgb, scale)


def test_with_background_detection_a_result_from_before_a_change_cannot_clear_it() -> None:
    # Ada is confirmed; the detection of frame >= 32 is held on the worker. Frames 34-36 show
    # something else (the face check makes the track suspect on frame 34), then a look-alike
    # stranger whose face region looks like Ada's. When the held result (Ada's face, from before
    # frame 34) lands on frame 38, it must not give Ada's name back: only an embedding of frame
    # 34 or later can, and the next one (held until frame 45) says it is not Ada.
    scene = _GatedScene({0: lambda i: 100 if i < 34 else None,
                         2: lambda i: 100 if 34 <= i < 37 else None,
                         1: lambda i: 100 if i >= 37 else None},
                        {0: [(ADA, 0.8)] * 50, 1: [(None, 0.1)] * 50, 2: [(None, 0.1)] * 5},
                        gates=[32, 38])
    recognizer = LiveRecognizer(scene, scene, lambda: GALLERY,
                                LiveRecognizerConfig(async_detection=True),
                                name_of={ADA: "Ada"}.get)
    release_at = {38: scene.gates[0], 45: scene.gates[1]}
    results = []
    try:
        for i in range(60):
            if i in release_at:
                _, release, done = release_at[i]
                release.set()
                assert done.wait(10)
                time.sleep(0.05)  # the worker stores its result right after the detection
            results.append(recognizer.process(scene.frame(i)))
            time.sleep(1 / 200)
    finally:
        recognizer.close()
    assert "Ada" in _names(results, 0, 32)
    assert 32 <= scene.held[0] < 34 and scene.held[1] >= 38
    assert _names(results, 34) == {None}
    assert recognizer.stats.tracks_ended_by_verification >= 1


def test_a_moving_face_keeps_its_name_between_detections() -> None:
    # Ada walks 3 px a frame with a 4 px wobble the tracker's velocity cannot predict: the boxes
    # drawn between detections are a few pixels off the face, which must not hide the name.
    scene = Scene({0: lambda i: 100 + 3 * i + (4 if i % 2 else 0)}, {0: [(ADA, 0.8)] * 40})
    recognizer, results = _run(scene, 60)
    confirmed = next(r.frame_index for r in results if r.sightings)
    assert {t.name for r in results[confirmed:] for t in r.tracks} == {"Ada"}
    assert recognizer.stats.tracks_ended_by_verification == 0


def _smooth_texture(face_no: int) -> np.ndarray:
    """A smooth colour pattern: blends of two of them change their colours gradually, as blends
    of two real faces do (blends of the blocky textures jump between histogram bins)."""
    small = np.random.default_rng(face_no + 7).integers(0, 255, (6, 6, 3)).astype(np.uint8)
    return cv2.resize(small, (SIZE, SIZE), interpolation=cv2.INTER_CUBIC)


class _FadingScene(Scene):
    """Face 0 cross-dissolves into face 1 at the same place over frames 30-45 (a 0.5 s fade, no
    cut); the embedder is fooled until half-way (it reads face 0 while face 0 dominates)."""

    def _alpha(self, i: int) -> float:
        return min(max((i - 30) / 15, 0.0), 1.0)

    def frame(self, i: int) -> Frame:
        frame = super().frame(i)
        a = self._alpha(i)
        blend = ((1 - a) * _smooth_texture(0).astype(np.float32)
                 + a * _smooth_texture(1).astype(np.float32))
        x = int(self.faces[0](i))
        frame.rgb[Y:Y + SIZE, x:x + SIZE] = blend.astype(np.uint8)
        return frame

    def crop(self, rgb: np.ndarray, detection: Detection) -> np.ndarray:
        crop = super().crop(rgb, detection)
        crop[0, 0, 0] = 0 if self._alpha(self._index(rgb)) < 0.5 else 1
        return crop


def test_a_fade_into_a_stranger_hides_the_name_before_the_stranger_dominates() -> None:
    scene = _FadingScene({0: lambda i: 100}, {0: [(ADA, 0.8)] * 40, 1: [(None, 0.1)] * 40})
    recognizer, results = _run(scene, 80)
    assert "Ada" in _names(results, 9, 30)
    hidden_from = next(r.frame_index for r in results[30:] if r.tracks[0].name is None)
    assert hidden_from < 38  # before the stranger's half of the fade
    assert _names(results, hidden_from) == {None}  # never named again, though Ada's votes go on
    assert [s.person_id for r in results for s in r.sightings] == [ADA]


def test_a_live_face_that_turns_slowly_keeps_its_name() -> None:
    # A live face never holds still to the pixel (it wobbles 2 px from frame to frame: steps no
    # fade makes) while its look changes slowly (a head turning: Ada's pattern gives way to
    # another over 2 s) and the embedder keeps saying Ada.
    class TurningScene(_FadingScene):
        def _alpha(self, i: int) -> float:
            return min(max((i - 20) / 60, 0.0), 1.0) * 0.99  # never quite the other face

        def crop(self, rgb: np.ndarray, detection: Detection) -> np.ndarray:
            crop = super().crop(rgb, detection)
            crop[0, 0, 0] = 0
            return crop

    scene = TurningScene({0: lambda i: 100 + (2 if i % 2 else 0)}, {0: [(ADA, 0.8)] * 60})
    _, results = _run(scene, 90)
    assert {t.name for r in results[9:] for t in r.tracks} == {"Ada"}
    assert any(f > 30 for f, _ in scene.embedded)  # the change of look was re-embedded, and agreed


class _ChangedLookScene(_FadingScene):
    """Ada's look changes over frames 24-30 (two fifths of the way to another pattern: a new
    head pose, not a swap) and stays so; she wobbles 2 px a frame as a live face does, and every
    crop reads as face 0, so her votes go on."""

    def _alpha(self, i: int) -> float:
        return min(max((i - 24) / 6, 0.0), 1.0) * 0.4

    def crop(self, rgb: np.ndarray, detection: Detection) -> np.ndarray:
        crop = super().crop(rgb, detection)
        crop[0, 0, 0] = 0
        return crop


@pytest.mark.parametrize("later_similarity, named_after", [(0.6, False), (0.8, True)])
def test_a_re_embedding_far_weaker_than_the_confirmation_hides_the_name(
        later_similarity: float, named_after: bool) -> None:
    # Confirmed at 0.9; the new look is re-embedded at once (0.9: the name stays) and again at
    # the next detections while it is watched. At 0.6, 67% of the confirmation, Ada still
    # matches above the threshold but no longer clearly: the name goes. At 0.8 (89%) it stays.
    scene = _ChangedLookScene({0: lambda i: 100 + (2 if i % 2 else 0)},
                              {0: [(ADA, 0.9)] * 4 + [(ADA, later_similarity)] * 10})
    _, results = _run(scene, 45)
    embedded = [f for f, _ in scene.embedded]
    assert embedded[:3] == [0, 3, 6] and 24 < embedded[3] < embedded[4] <= 40
    assert _names(results, 9, embedded[4]) == {"Ada"}
    assert _names(results, embedded[4]) == ({"Ada"} if named_after else {None})
    assert len({t.track_id for r in results for t in r.tracks}) == 1  # not someone else


class _SlowFadingScene(_FadingScene):
    """The fade of _FadingScene over a whole second (frames 30-60), detected in 20 ms."""

    def _alpha(self, i: int) -> float:
        return min(max((i - 30) / 30, 0.0), 1.0)

    def detect(self, rgb: np.ndarray, scale: float = 1.0) -> list[Detection]:
        time.sleep(0.02)
        return super().detect(rgb, scale)


def test_with_background_detection_a_fade_hides_the_name_though_every_embedding_agrees() -> None:
    # In paced mode every worker result re-embeds the face, and the fooled embedder agrees each
    # time (Ada at 0.8 until half-way): agreeing embeddings must not reset what tells a fade.
    scene = _SlowFadingScene({0: lambda i: 100}, {0: [(ADA, 0.8)] * 200, 1: [(None, 0.1)] * 200})
    recognizer = LiveRecognizer(scene, scene, lambda: GALLERY,
                                LiveRecognizerConfig(async_detection=True),
                                name_of={ADA: "Ada"}.get)
    try:
        results = []
        for i in range(90):
            results.append(recognizer.process(scene.frame(i)))
            time.sleep(1 / 60)
    finally:
        recognizer.close()
    assert "Ada" in _names(results, 0, 30)
    assert any(f >= 30 for f, face in scene.embedded if face == 0)  # re-embedded in the fade
    assert _names(results, 45) == {None}  # the stranger's half of the fade and after


def test_a_still_face_that_changed_slowly_is_named_again_once_it_holds_still() -> None:
    # A motionless picture whose look changes over frames 24-30 and then stays: its tiny steps
    # are those of a fade, so the name goes while it changes; the embedder keeps saying Ada and
    # the picture holds still, so the name comes back.
    scene = _ChangedLookScene({0: lambda i: 100}, {0: [(ADA, 0.9)] * 40})
    _, results = _run(scene, 70)
    names = [r.tracks[0].name for r in results]
    hidden = [i for i, name in enumerate(names) if i >= 9 and name is None]
    assert hidden and 24 <= hidden[0] <= 30 and hidden[-1] < 50
    assert set(names[50:]) == {"Ada"}
