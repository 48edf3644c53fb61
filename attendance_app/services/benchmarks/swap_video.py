"""Swap videos from the shared LFW copy, and the scorer that counts wrong names on them.

`make_swap_video` picks `pairs` enrolled people (identities with at least two photos: the
first photo enrols them, the second is shown, unless `show_enrolment_photo`) and as many
strangers (identities with a single photo, never enrolled), deterministically from `seed`, and
writes a video in which each enrolled person's photo is replaced in place by a stranger's:
even-numbered pairs by a hard cut, odd-numbered ones by a `dissolve_s` cross-dissolve.

`score_labels` reads `benchmark live --labels-out` lines and the truth file and counts, per
pass, the track-frames whose name is wrong: a name on a face whose dominant identity (weight >=
0.5) is a stranger, or another enrolled person's name. A track belongs to a truth face when its
box centre lies inside the photo's rectangle.
"""

from __future__ import annotations

import json
import random
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from attendance_app.vision.swap_video_writer import SwapSegment, write_swap_video


@dataclass(frozen=True)
class SwapVideo:
    video: Path
    truth: Path
    frames: int
    enrolments: dict[str, Path]  # enrolled name -> enrolment photo
    strangers: list[str]


def make_swap_video(lfw: Path, out_dir: Path, *, pairs: int = 5, seed: int = 0,
                    hold_s: float = 2.0, dissolve_s: float = 0.5, fps: float = 30.0,
                    show_enrolment_photo: bool = False) -> SwapVideo:
    """Write `swap.mp4` and `swap_truth.jsonl` into `out_dir`; see the module docstring.
    ValueError when `lfw` holds too few identities."""
    people = sorted(d for d in Path(lfw).iterdir() if d.is_dir() and not d.name.startswith("_"))
    photos = {d.name: sorted(d.glob("*.jpg")) for d in people}
    several = [n for n, p in photos.items() if len(p) >= 2]
    single = [n for n, p in photos.items() if len(p) == 1]
    if len(several) < pairs or len(single) < pairs:
        raise ValueError(f"{lfw} has too few identities for {pairs} pairs")
    rng = random.Random(seed)
    enrolled, strangers = rng.sample(several, pairs), rng.sample(single, pairs)
    segments = []
    for k, (name, stranger) in enumerate(zip(enrolled, strangers)):
        shown = photos[name][0 if show_enrolment_photo else 1]
        segments.append(SwapSegment(shown, name, True, photos[stranger][0], stranger, False,
                                    dissolve_s if k % 2 else 0.0))
    out_dir.mkdir(parents=True, exist_ok=True)
    video, truth = out_dir / "swap.mp4", out_dir / "swap_truth.jsonl"
    frames = write_swap_video(segments, video, truth, fps=fps, hold_s=hold_s)
    return SwapVideo(video, truth, frames, {n: photos[n][0] for n in enrolled}, strangers)


def _dominant(faces: list[dict[str, Any]]) -> dict[str, Any] | None:
    return next((f for f in faces if f["weight"] >= 0.5), None)


def _inside(box: list[float], rect: list[float]) -> bool:
    cx, cy = (box[0] + box[2]) / 2, (box[1] + box[3]) / 2
    return rect[0] <= cx <= rect[2] and rect[1] <= cy <= rect[3]


def score_labels(labels: Path, truth: Path) -> dict[str, dict[str, int]]:
    """Per pass: `frames` scored, `wrong_name_track_frames`, `name_on_stranger_track_frames`,
    `named_track_frames`. Frames missing from the truth file are not scored."""
    truth_by_frame = {}
    with open(truth, encoding="utf-8") as lines:
        for line in lines:
            row = json.loads(line)
            truth_by_frame[row["frame"]] = row["faces"]
    scores: dict[str, dict[str, int]] = {}
    with open(labels, encoding="utf-8") as lines:
        for line in lines:
            row = json.loads(line)
            faces = truth_by_frame.get(row["frame"])
            if faces is None:
                continue
            score = scores.setdefault(row["pass"], {"frames": 0, "named_track_frames": 0,
                                                    "wrong_name_track_frames": 0,
                                                    "name_on_stranger_track_frames": 0})
            score["frames"] += 1
            for track in row["tracks"]:
                if track["name"] is None:
                    continue
                score["named_track_frames"] += 1
                face = _dominant([f for f in faces if _inside(track["box"], f["box"])])
                if face is None or face["identity"] != track["name"]:
                    score["wrong_name_track_frames"] += 1
                    if face is not None and not face["enrolled"]:
                        score["name_on_stranger_track_frames"] += 1
    return scores
