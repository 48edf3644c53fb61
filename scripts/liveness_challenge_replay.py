"""Replay the kiosk / enrolment challenge over videos: what share of 5-second windows pass.

    python scripts/liveness_challenge_replay.py VIDEO... [--every 2] [--timeout 5] [--json]
        [--cache DIR]

For each video the largest face of every `--every`-th frame is found (MTCNN), gated and
meshed (FaceMesh) once; then a blink and a turn challenge are started at every whole second
and replayed on those samples (vision/liveness/challenge.py). A held-up photo should pass no
window; a real person passes a turn window only where they turn, a blink window where they
blink. Prints one line per video (and JSON with --json). `--cache DIR` keeps each video's
samples in DIR (npz) so that a changed checker can be replayed without the models.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import cv2
import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from attendance_app.vision.face_detector import MtcnnFaceDetector  # noqa: E402
from attendance_app.vision.face_mesh import FaceMeshLandmarker  # noqa: E402
from attendance_app.vision.liveness.challenge import LivenessChallenge  # noqa: E402
from attendance_app.vision.liveness.liveness_state import LivenessConfig  # noqa: E402
from attendance_app.vision.liveness.observation_gate import rejection_reason  # noqa: E402

Sample = tuple[float, "np.ndarray | None", "str | None"]


def record(video: Path, every: int, max_side: int = 640) -> list[Sample]:
    """(time_s, mesh xy or None, reason) for every `every`-th frame's largest face."""
    detector, mesh, cfg = MtcnnFaceDetector(min_face_size=40), FaceMeshLandmarker(), LivenessConfig()
    cap = cv2.VideoCapture(str(video))
    fps = cap.get(cv2.CAP_PROP_FPS) or 30.0
    out: list[Sample] = []
    index = 0
    while True:
        ok, bgr = cap.read()
        if not ok:
            break
        if index % every == 0:
            rgb = cv2.cvtColor(bgr, cv2.COLOR_BGR2RGB)
            scale = min(1.0, max_side / max(rgb.shape[:2]))
            faces = detector.detect(rgb, scale=scale, with_quality=False)
            t = index / fps
            if not faces:
                out.append((t, None, "no face found"))
            else:
                face = faces[0]
                grey = cv2.cvtColor(rgb, cv2.COLOR_RGB2GRAY)
                reason = rejection_reason(grey, face.box, cfg)
                m = None if reason else mesh.landmarks(rgb, face.box, face.landmarks[:2])
                out.append((t, None if m is None else m.xy.copy(),
                            reason or (None if m is not None else "no face landmarks found")))
        index += 1
    cap.release()
    return out


def cached_record(video: Path, every: int, cache: Path | None) -> list[Sample]:
    if cache is None:
        return record(video, every)
    path = cache / f"{video.stem}_every{every}.npz"
    if path.exists():
        data = np.load(path)
        return [(float(t), None if np.isnan(xy).any() else xy, r or None)
                for t, xy, r in zip(data["t"], data["xy"], data["reason"])]
    samples = record(video, every)
    cache.mkdir(parents=True, exist_ok=True)
    xy = np.stack([s[1] if s[1] is not None else np.full((468, 2), np.nan, np.float32)
                   for s in samples]) if samples else np.zeros((0, 468, 2), np.float32)
    np.savez(path, t=np.array([s[0] for s in samples]), xy=xy,
             reason=np.array([s[2] or "" for s in samples]))
    return samples


def replay(samples: list[Sample], kind: str, timeout_s: float) -> tuple[int, int]:
    """(windows passed, windows tried): a challenge started at each whole second that has
    `timeout_s` of video after it."""
    if not samples:
        return 0, 0
    end = samples[-1][0]
    passed = tried = 0
    start = 0.0
    while start + timeout_s <= end + 1e-6:
        challenge = LivenessChallenge(kind, start, timeout_s)  # type: ignore[arg-type]
        for t, xy, reason in samples:
            if start <= t <= start + timeout_s:
                challenge.update(t, xy, reason)
        tried += 1
        passed += int(challenge.outcome == "passed")
        start += 1.0
    return passed, tried


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("videos", nargs="+", type=Path)
    parser.add_argument("--every", type=int, default=2)
    parser.add_argument("--timeout", type=float, default=5.0)
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--cache", type=Path)
    args = parser.parse_args(argv)
    results = []
    for video in args.videos:
        samples = cached_record(video, args.every, args.cache)
        usable = sum(xy is not None for _, xy, _ in samples)
        row = {"video": str(video), "samples": len(samples), "usable": usable}
        for kind in ("blink", "turn"):
            p, n = replay(samples, kind, args.timeout)
            row[kind] = f"{p}/{n}"
        results.append(row)
        print(f"{video.name}: {usable}/{len(samples)} usable samples, "
              f"blink windows passed {row['blink']}, turn windows passed {row['turn']}",
              flush=True)
    if args.json:
        print(json.dumps(results))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
