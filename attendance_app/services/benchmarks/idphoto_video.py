"""'ID photo -> camera' videos from the shared LFW copy, and the scorer of their sightings.

Enrolled people are LFW identities with at least three photos: ONE photo enrols them (the ID
photo), the video shows another one (each for `hold_s`, with camera-like motion, zoom and
exposure changes: vision.camera_shot_writer), next to strangers, identities never enrolled. Day
`d` of a multi-day simulation shows photo number `d` of each person's shuffled photos (photo 0
is the enrolment photo), so day 1 and day 2 show the same people in different photos, and each
day brings its own strangers.

Identities are split once, by a stable hash of their name, into a `validation` and a `test`
half: settings are chosen on validation videos, and test videos (any seed) never show an
identity that a validation video could have shown. Within a split, `seed` picks the people, the
photos, the order and the motion.

`score_sightings` turns `benchmark live`'s sighting frames into recorded / enrolled, strangers
recorded (a stranger's face given an enrolled name) and wrong-person records.
"""

from __future__ import annotations

import json
import random
import zlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from attendance_app.vision.camera_shot_writer import CameraShot, write_camera_shot_video

SPLITS = ("validation", "test")


@dataclass(frozen=True)
class IdPhotoVideo:
    video: Path
    truth: Path
    frames: int
    enrolments: dict[str, Path]  # enrolled name -> the one enrolment (ID) photo
    shown: dict[str, Path]  # enrolled name -> the photo shown in this video
    strangers: list[str]
    split: str
    seed: int
    day: int


def split_of(identity: str) -> str:
    """'validation' or 'test', fixed for an identity (crc32 of its name)."""
    return SPLITS[zlib.crc32(identity.encode("utf-8")) % 2]


def _identities(lfw: Path, split: str) -> dict[str, list[Path]]:
    if split not in SPLITS:
        raise ValueError(f"split must be one of {SPLITS}, got {split!r}")
    folders = sorted(d for d in Path(lfw).iterdir() if d.is_dir() and not d.name.startswith("_"))
    photos = {d.name: sorted(d.glob("*.jpg")) for d in folders if split_of(d.name) == split}
    return {n: p for n, p in photos.items() if p}


@dataclass(frozen=True)
class PeoplePlan:
    """Who appears: enrolled name -> photos in the order used ([enrolment, day 1, day 2,
    ...]), each day's strangers, and every stranger's photos."""

    enrolled: dict[str, list[Path]]
    strangers_by_day: list[list[str]]
    stranger_photos: dict[str, list[Path]]


def plan_people(lfw: Path, split: str, people: int, strangers_per_day: int, seed: int,
                days: int) -> PeoplePlan:
    """The people of a `days`-day simulation. ValueError when the split holds too few
    identities."""
    photos = _identities(lfw, split)
    several = sorted(n for n, p in photos.items() if len(p) >= days + 1)
    if len(several) < people:
        raise ValueError(f"{lfw}: only {len(several)} {split} identities with >= {days + 1} "
                         f"photos, {people} wanted")
    rng = random.Random(f"{split}:{seed}")
    enrolled = rng.sample(several, people)
    others = sorted(set(photos) - set(enrolled))
    if len(others) < strangers_per_day * days:
        raise ValueError(f"{lfw}: too few {split} identities for the strangers")
    pool = rng.sample(others, strangers_per_day * days)
    order = {}
    for name in enrolled:
        shuffled = list(photos[name])
        rng.shuffle(shuffled)
        order[name] = shuffled
    per_day = [pool[d * strangers_per_day:(d + 1) * strangers_per_day] for d in range(days)]
    return PeoplePlan(order, per_day, {n: photos[n] for n in pool})


def make_idphoto_video(lfw: Path, out_dir: Path, *, split: str = "validation", people: int = 12,
                       strangers: int = 6, seed: int = 0, day: int = 1, days: int | None = None,
                       hold_s: float = 2.0, gap_s: float = 0.3,
                       fps: float = 30.0) -> IdPhotoVideo:
    """Write `idphoto_<split>_s<seed>_day<day>.mp4` and its `..._truth.jsonl` into `out_dir`.
    `days` (default `day`) is how many days the plan covers: the same `seed` and `days` give
    the same people on every day. ValueError for a bad split/day or too few identities."""
    days = day if days is None else days
    if not 1 <= day <= days:
        raise ValueError(f"day must be in 1..{days}, got {day}")
    plan = plan_people(lfw, split, people, strangers, seed, days)
    day_strangers = plan.strangers_by_day[day - 1]
    rng = random.Random(f"{split}:{seed}:day{day}")
    shots = [(n, p[day], True) for n, p in plan.enrolled.items()]
    shots += [(n, rng.choice(plan.stranger_photos[n]), False) for n in day_strangers]
    rng.shuffle(shots)
    camera_shots = [CameraShot(photo, name, is_enrolled, rng.randrange(2**31))
                    for name, photo, is_enrolled in shots]
    out_dir.mkdir(parents=True, exist_ok=True)
    stem = f"idphoto_{split}_s{seed}_day{day}"
    video, truth = out_dir / f"{stem}.mp4", out_dir / f"{stem}_truth.jsonl"
    frames = write_camera_shot_video(camera_shots, video, truth, fps=fps, hold_s=hold_s,
                                     gap_s=gap_s)
    return IdPhotoVideo(video, truth, frames, {n: p[0] for n, p in plan.enrolled.items()},
                        {n: p[day] for n, p in plan.enrolled.items()}, list(day_strangers),
                        split, seed, day)


def read_truth(truth: Path) -> dict[int, list[dict[str, Any]]]:
    """frame index -> the faces shown (truth-file lines of either video generator)."""
    with open(truth, encoding="utf-8") as lines:
        rows = [json.loads(line) for line in lines if line.strip()]
    return {int(r["frame"]): r["faces"] for r in rows}


def score_sightings(sighting_frames: Mapping[str, Sequence[int]],
                    truth: Mapping[int, list[dict[str, Any]]]) -> dict[str, Any]:
    """Score confirmed sightings (name -> frame indices) against the faces shown on those
    frames. `enrolled_recorded`: enrolled people with a sighting of their own name while they
    were shown; `strangers_recorded`: strangers whose face got an enrolled name at least once;
    `wrong_person_records`: sightings naming an enrolled person while another enrolled one was
    shown; `records_without_face`: sightings on frames that show nobody."""
    shown_enrolled = {f["identity"] for faces in truth.values() for f in faces if f["enrolled"]}
    shown_strangers = {f["identity"] for faces in truth.values() for f in faces
                       if not f["enrolled"]}
    recorded, strangers, wrong, faceless = set(), set(), 0, 0
    for name, frames in sighting_frames.items():
        for index in frames:
            faces = [f for f in truth.get(int(index), []) if f["weight"] >= 0.5]
            if not faces:
                faceless += 1
            elif any(f["identity"] == name for f in faces):
                recorded.add(name)
            elif all(not f["enrolled"] for f in faces):
                strangers.update(f["identity"] for f in faces)
            else:
                wrong += 1
    return {"enrolled_shown": len(shown_enrolled), "enrolled_recorded": len(recorded),
            "recall": round(len(recorded) / max(1, len(shown_enrolled)), 4),
            "missed": sorted(shown_enrolled - recorded),
            "strangers_shown": len(shown_strangers), "strangers_recorded": len(strangers),
            "wrong_person_records": wrong, "records_without_face": faceless}
