"""The live-pipeline benchmark: the real LiveRecognizer on a video file, twice.

1. As fast as possible: every frame decoded, detected/tracked, embedded when due (`fps`).
2. As a real-time camera would deliver it: frames paced by the file's fps against the wall clock
   and dropped while the pipeline is busy (`realtime_fps` = frames processed per second between
   the first and the last processed frame, `dropped_frames`; `realtime_detect_passes` = how many
   detection + embedding passes the background thread finished and the loop applied).
`unknown_best_similarity`: each unknown track's best similarity to anyone enrolled (highest
first), i.e. how close the faces that were never recorded came to the threshold.
A temporary in-memory gallery holds the enrolled photos: the user's people are never touched.
`every_frame=True` runs the naive pipeline (detect + embed every face in every frame).
`labels_out` receives one JSON line per processed frame and pass (LabelWriter), so names can be
scored against a truth file (swap_video.score_labels).
"""

from __future__ import annotations

import json
import resource
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import IO, Any

import numpy as np

from attendance_app.domain.errors import FaceNotFoundError
from attendance_app.services.benchmarks.background_load import BusyLoad, load_average
from attendance_app.services.benchmarks.idphoto_video import read_truth, score_sightings
from attendance_app.vision.face_detector import MtcnnFaceDetector
from attendance_app.vision.face_embedder import FaceEmbedder
from attendance_app.vision.frame_source import VideoFileSource
from attendance_app.vision.gallery import Gallery
from attendance_app.vision.image_io import load_image_rgb
from attendance_app.vision.latest_frame_grabber import LatestFrameGrabber
from attendance_app.vision.live_recognizer import FrameResult, LiveRecognizer, LiveRecognizerConfig
from attendance_app.vision.read_ahead import ReadAhead

Progress = Callable[[int, int, str], bool]


class LabelWriter:
    """Writes `{"pass": "fast"|"paced", "frame": INDEX, "tracks": [{"box": [x1, y1, x2, y2],
    "name": NAME_OR_NULL, "state": STATE, "similarity": S}]}` lines, frame = index in the file.
    None as the stream writes nothing. `suffix` is added to the pass name ("fast_loaded" for the
    repeat under background load), so one file can be scored per pass, idle and loaded."""

    def __init__(self, stream: IO[str] | None, suffix: str = "") -> None:
        self._stream = stream
        self._suffix = suffix

    def write(self, pass_name: str, result: FrameResult) -> None:
        if self._stream is None:
            return
        tracks = [{"box": [round(v, 1) for v in t.box.as_tuple()], "name": t.name,
                   "state": t.state, "similarity": round(float(t.similarity), 4)}
                  for t in result.tracks]
        self._stream.write(json.dumps({"pass": pass_name + self._suffix,
                                       "frame": result.frame_index,
                                       "tracks": tracks}) + "\n")


@dataclass(frozen=True)
class Enrolment:
    name: str
    photo: Path

    @classmethod
    def parse(cls, text: str) -> "Enrolment":
        """'NAME=PHOTO' as given on the command line."""
        name, sep, photo = text.partition("=")
        if not sep or not name.strip() or not photo.strip():
            raise ValueError(f"--enroll wants NAME=PHOTO, got {text!r}")
        return cls(name.strip(), Path(photo.strip()))


def build_gallery(enrolments: Sequence[Enrolment], detector: MtcnnFaceDetector,
                  embedder: FaceEmbedder) -> tuple[Gallery, dict[int, str]]:
    """Person ids 1..n for the photos' largest faces; FaceNotFoundError names a faceless photo."""
    vectors, ids = enrolment_embeddings(enrolments, detector, embedder)
    return Gallery.from_arrays(vectors, ids), {int(i): e.name for i, e in zip(ids, enrolments)}


def enrolment_embeddings(enrolments: Sequence[Enrolment], detector: MtcnnFaceDetector,
                         embedder: FaceEmbedder) -> tuple[np.ndarray, np.ndarray]:
    """((n, D) unit rows, person ids 1..n) of the photos' largest faces, each prepared as the
    live loop prepares it: the margin crop, or the embedder's own prepare() (SFace aligns on
    the five landmarks). FaceNotFoundError names a faceless photo."""
    inputs = []
    margin_crop = getattr(embedder, "uses_margin_crop", True)
    for enrolment in enrolments:
        rgb = load_image_rgb(enrolment.photo)
        pairs = detector.detect_and_crop(rgb, refine_small=True)  # as the app imports a photo
        if not pairs:
            raise FaceNotFoundError(f"{enrolment.photo}: no face found")
        detection, crop = max(pairs, key=lambda p: p[0].box.area)
        inputs.append(crop if margin_crop else embedder.prepare(rgb, detection))
    vectors = embedder.embed(np.stack(inputs))
    return vectors, np.arange(1, len(enrolments) + 1, dtype=np.int64)


def policy_overrides(settings: Any, match_policy: tuple[float, float] | None
                     ) -> dict[str, float]:
    """LiveRecognizerConfig fields for a model's own (threshold, margin); {} for None."""
    if match_policy is None:
        return {}
    threshold, margin = match_policy
    floor = max(threshold, settings.confirm_min_similarity - settings.match_threshold + threshold)
    return {"match_threshold": threshold, "runner_up_margin": margin,
            "confirm_min_similarity": floor}


def run_live_benchmark(video: Path, enrolments: Sequence[Enrolment], detector: MtcnnFaceDetector,
                       embedder: FaceEmbedder, settings: Any, every_frame: bool = False,
                       detect_scale: float = 1.0, realtime: bool = True,
                       progress: Progress | None = None, labels_out: Path | None = None,
                       background_load: int = 0,
                       match_policy: tuple[float, float] | None = None,
                       truth: Path | None = None, lookahead: bool = True,
                       refine_landmarks: bool = False) -> dict[str, Any]:
    """Both passes over `video`; returns the issue-3 JSON keys plus context figures. With
    `labels_out`, every processed frame's tracks are written there (LabelWriter; the loaded
    repeat's passes as "fast_loaded" and "paced_loaded"). With
    `background_load` N > 0 both passes run again while N busy processes compete for the CPUs
    (BusyLoad), giving `fps_loaded`, `realtime_fps_loaded`, `people_loaded`,
    `realtime_people_loaded` next to the idle figures; `load_average` holds the 1-minute load
    average at the start of each pass. `match_policy` (threshold, margin) replaces the
    Settings' pair (each model carries its own; the confirmation floor moves with the
    threshold as in AppServices.make_recognizer). With `truth` (a video generator's truth file)
    `truth_score` scores each pass's sightings (idphoto_video.score_sightings). `lookahead`
    False keeps the fast pass on one thread (no DetectionLookahead; for A/B).
    `refine_landmarks`: LiveRecognizerConfig.refine_landmarks."""
    stream = open(labels_out, "w", encoding="utf-8") if labels_out is not None else None
    try:
        gallery, names = build_gallery(enrolments, detector, embedder)
        config = LiveRecognizerConfig.from_settings(settings, every_frame=every_frame,
                                                    detect_scale=detect_scale,
                                                    **policy_overrides(settings, match_policy))
        config = replace(config, lookahead_detection=lookahead,
                         refine_landmarks=refine_landmarks)

        def recognizer(paced: bool = False) -> LiveRecognizer:
            # Paced like a camera, detection runs on its own thread: the loop never waits.
            cfg = replace(config, async_detection=paced and not every_frame)
            return LiveRecognizer(detector, embedder, lambda: gallery, cfg, name_of=names.get)

        result = _both_passes(video, recognizer, names, realtime, progress, stream, "")
        result["mode"] = "every-frame" if every_frame else "tracked"
        if background_load > 0:
            with BusyLoad(background_load):
                loaded = _both_passes(video, recognizer, names, realtime, progress, stream,
                                      "_loaded")
            result.update({k: v for k, v in loaded.items() if k.endswith("_loaded")})
            result["background_load"] = background_load
            result["load_average"].update(loaded["load_average"])
        if truth is not None:
            shown = read_truth(truth)
            result["truth_score"] = {
                "fast": score_sightings(result["sighting_frames"], shown),
                **({"paced": score_sightings(result["realtime_sighting_frames"], shown)}
                   if realtime else {})}
        result["match_threshold"] = config.match_threshold
        result["runner_up_margin"] = config.runner_up_margin
    finally:
        if stream is not None:
            stream.close()
    result["peak_rss_mb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)
    return result


def _both_passes(video: Path, recognizer: Callable[..., LiveRecognizer], names: dict[int, str],
                 realtime: bool, progress: Progress | None, stream: IO[str] | None,
                 suffix: str) -> dict[str, Any]:
    """The fast pass and (with `realtime`) the paced pass; keys of the loaded repeat end in
    `suffix`, and so do its pass names in the labels file."""
    labels = LabelWriter(stream, suffix)
    load = {f"fast{suffix}": load_average()}
    fast = _fast_pass(video, recognizer(), progress, labels)
    result: dict[str, Any] = {
        f"fps{suffix}": round(fast.frames / fast.seconds, 2),
        f"realtime_fps{suffix}": None,
        f"people{suffix}": sorted(names[p] for p in fast.first_to_record),
        f"sighting_frames{suffix}": _sighting_frames(fast, names),
    }
    if not suffix:
        result.update({
            "stage_ms": {k: round(v / max(1, fast.frames), 2)
                         for k, v in fast.stage_totals.items()},
            "embeds_per_frame": round(fast.embeds / max(1, fast.frames), 3),
            "first_seen_to_record_s": {names[p]: round(s, 2)
                                       for p, s in fast.first_to_record.items()},
            "best_similarity": {names[p]: round(s, 3) for p, s in fast.best_similarity.items()
                                if p in names},
            "frames": fast.frames,
            "unknown_tracks": fast.unknowns,
            "unknown_best_similarity": sorted((round(s, 3) for s in fast.unknown_best),
                                              reverse=True),
            "reverification": fast.reverification,
        })
    if realtime:
        load[f"paced{suffix}"] = load_average()
        paced = recognizer(paced=True)
        try:
            live = _realtime_pass(video, paced, labels)
        finally:
            paced.close()
        result.update({
            # N frames span N - 1 frame intervals: time from the first to the last processed one.
            f"realtime_fps{suffix}": round((live.frames - 1) / max(live.span_s, 1e-9), 2),
            f"realtime_detect_passes{suffix}": live.detect_passes,
            f"realtime_detect_passes_per_s{suffix}": round(
                live.detect_passes / max(live.span_s, 1e-9), 2),
            f"realtime_faces_embedded_by_worker{suffix}": paced.stats.detections,
            f"realtime_dropped_frames{suffix}": live.dropped,
            f"realtime_people{suffix}": sorted(names[p] for p in live.first_to_record),
            f"realtime_sighting_frames{suffix}": _sighting_frames(live, names),
        })
        if not suffix:
            result["realtime_first_seen_to_record_s"] = {
                names[p]: round(s, 2) for p, s in live.first_to_record.items()}
    result["load_average"] = load
    return result


def _sighting_frames(stats: "_PassStats", names: dict[int, str]) -> dict[str, list[int]]:
    """Every confirmed sighting of the pass: name -> the frame indices it was confirmed on."""
    out: dict[str, list[int]] = {}
    for person_id, frame_index in stats.sightings:
        out.setdefault(names[person_id], []).append(frame_index)
    return out


@dataclass
class _PassStats:
    frames: int = 0
    seconds: float = 0.0
    embeds: int = 0
    unknowns: int = 0
    dropped: int = 0
    detect_passes: int = 0
    span_s: float = 0.0

    def __post_init__(self) -> None:
        self.unknown_best: list[float] = []
        self.stage_totals: dict[str, float] = {}
        self.first_to_record: dict[int, float] = {}
        self.best_similarity: dict[int, float] = {}
        self.reverification: dict[str, int] = {}
        self.sightings: list[tuple[int, int]] = []  # (person id, frame index)

    def add(self, result: FrameResult) -> None:
        self.frames += 1
        self.embeds += result.embedded
        self.unknowns += len(result.unknowns)
        self.unknown_best.extend(u.best_similarity for u in result.unknowns)
        self.detect_passes += result.stage_ms.get("detect", 0.0) > 0.0  # 0 on coasting frames
        for stage, ms in result.stage_ms.items():
            self.stage_totals[stage] = self.stage_totals.get(stage, 0.0) + ms
        for s in result.sightings:
            self.sightings.append((s.person_id, s.frame_index))
            # The first confirmed sighting of a person is their attendance record.
            self.first_to_record.setdefault(s.person_id, s.time_s - s.first_seen_s)


def _fast_pass(video: Path, recognizer: LiveRecognizer, progress: Progress | None,
               labels: LabelWriter) -> _PassStats:
    stats = _PassStats()
    source = VideoFileSource(video)
    source.open()
    total = source.frame_count or 0
    # Frames read ahead: the recogniser detects the next detection frame among them on a
    # second thread while it embeds this one (same detections; LiveRecognizer.process).
    reader = ReadAhead(source, recognizer.config.detect_every_frames)
    started = time.perf_counter()
    try:
        while (frame := reader.next()) is not None:
            result = recognizer.process(frame, upcoming=reader.upcoming)
            stats.add(result)
            labels.write("fast", result)
            if progress is not None:
                progress(stats.frames, max(total, stats.frames), "as fast as possible")
    finally:
        reader.close()
        recognizer.close()  # its look-ahead thread
    stats.seconds = time.perf_counter() - started
    stats.best_similarity = dict(recognizer.stats.best_similarity_by_person)
    rs = recognizer.stats
    stats.reverification = {"cuts": rs.cuts, "verifications": rs.verifications,
                            "tracks_ended": rs.tracks_ended_by_verification}
    return stats


def _realtime_pass(video: Path, recognizer: LiveRecognizer, labels: LabelWriter) -> _PassStats:
    stats = _PassStats()
    grabber = LatestFrameGrabber(VideoFileSource(video), realtime=True).start()
    started = time.perf_counter()
    first = last = None
    try:
        while True:
            frame = grabber.get(timeout=1.0)
            if frame is None:
                if grabber.finished:
                    break
                continue
            result = recognizer.process(frame)
            stats.add(result)
            labels.write("paced", result)
            last = time.perf_counter()
            first = last if first is None else first
    finally:
        grabber.stop()
    stats.seconds = time.perf_counter() - started
    stats.span_s = (last - first) if first is not None and last is not None else 0.0
    stats.dropped = grabber.dropped_frames
    return stats
