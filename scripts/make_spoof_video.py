"""Render presentation-attack videos: face photos held up to a camera as prints or phone screens.

    python scripts/make_spoof_video.py --photos DIR_OR_FILE ... --out DIR [--count 20]
        [--seed 1] [--seconds 6] [--kind print|phone|mixed]

Each video shows one photo (the largest face MTCNN finds, cut as a portrait) on a card in 3-D
in front of a synthetic room: a white-bordered print or a phone with a black bezel, a bright
screen, its pixel grid (moire once resampled), refresh flicker and a glare. The card moves as a
hand holds it: a slow approach, tilt and turn, plus hand tremor (small random changes of the
pose each frame, i.e. small random homographies), then camera noise. Everything in a video is an
attack; `truth.json` in DIR lists each file with its photo, kind, seed and motion parameters.
Videos are written as mp4v at 30 fps, 640x480. Never write them into the repository.
"""

from __future__ import annotations

import argparse
import json
import math
import sys
from dataclasses import asdict, dataclass
from pathlib import Path

import cv2
import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from attendance_app.vision.face_detector import MtcnnFaceDetector  # noqa: E402
from attendance_app.vision.image_io import load_image_rgb  # noqa: E402

WIDTH, HEIGHT, FPS = 640, 480, 30.0
IMAGE_SUFFIXES = {".jpg", ".jpeg", ".png", ".bmp", ".pgm"}


@dataclass(frozen=True)
class Motion:
    """How the hand moves the card: start/end depth (card widths), yaw/pitch amplitudes and
    periods (degrees, seconds), roll (degrees), tremor (degrees and pixels per frame, 1 sigma)."""

    depth_start: float
    depth_end: float
    yaw_amp: float
    yaw_period: float
    pitch_amp: float
    pitch_period: float
    roll: float
    tremor_deg: float
    tremor_px: float
    centre_x: float
    centre_y: float


def find_photos(paths: list[Path]) -> list[Path]:
    found: list[Path] = []
    for p in paths:
        if p.is_dir():
            found += sorted(f for f in p.rglob("*") if f.suffix.lower() in IMAGE_SUFFIXES
                            and not any(part.startswith("_") for part in f.relative_to(p).parts))
        elif p.suffix.lower() in IMAGE_SUFFIXES:
            found.append(p)
    return found


def portrait(rgb: np.ndarray, detector: MtcnnFaceDetector) -> np.ndarray | None:
    """The largest face cut with generous context (a passport-style print), or None."""
    dets = detector.detect(rgb)
    if not dets:
        return None
    box = max(dets, key=lambda d: d.box.area).box
    side = max(box.width, box.height)
    cx, cy = (box.x1 + box.x2) / 2, (box.y1 + box.y2) / 2
    w, h = 1.8 * side, 2.3 * side
    x0, y0 = int(max(0, cx - w / 2)), int(max(0, cy - h * 0.45))
    x1, y1 = int(min(rgb.shape[1], cx + w / 2)), int(min(rgb.shape[0], cy + h * 0.55))
    crop = rgb[y0:y1, x0:x1]
    if min(crop.shape[:2]) < 40:
        return None
    scale = 360.0 / crop.shape[0]  # a print / screen of about 360 px height before warping
    return cv2.resize(crop, (max(1, int(crop.shape[1] * scale)), 360), interpolation=cv2.INTER_CUBIC)


def make_card(face: np.ndarray, kind: str, rng: np.random.Generator) -> np.ndarray:
    """The flat object held up: a print with a paper border or a phone with a black bezel."""
    h, w = face.shape[:2]
    if kind == "print":
        border = int(rng.uniform(0.04, 0.12) * w)
        paper = np.array([rng.uniform(225, 250)] * 3) * rng.uniform(0.93, 1.0, 3)
        card = np.empty((h + 2 * border, w + 2 * border, 3), np.float32)
        card[:] = paper
        ink = face.astype(np.float32) * rng.uniform(0.8, 0.95) + rng.uniform(5, 20)  # dull ink
        card[border:border + h, border:border + w] = ink
        return np.clip(card, 0, 255).astype(np.uint8)
    screen = face.astype(np.float32) * rng.uniform(1.0, 1.25) + rng.uniform(5, 25)
    pitch = int(rng.integers(2, 4))  # sub-pixel grid: darker rows/columns every few pixels
    grid = np.ones((h, w), np.float32)
    grid[::pitch, :] *= rng.uniform(0.75, 0.9)
    grid[:, ::pitch] *= rng.uniform(0.75, 0.9)
    screen *= grid[..., None]
    bezel = int(rng.uniform(0.05, 0.1) * w)
    card = np.zeros((h + 2 * bezel, w + 2 * bezel, 3), np.float32)
    card[:] = rng.uniform(5, 30)
    card[bezel:bezel + h, bezel:bezel + w] = screen
    return np.clip(card, 0, 255).astype(np.uint8)


def room(rng: np.random.Generator) -> np.ndarray:
    """A synthetic background: a lit wall gradient, a few furniture-like rectangles, texture."""
    yy, xx = np.mgrid[:HEIGHT, :WIDTH].astype(np.float32)
    base = rng.uniform(60, 200, 3)
    slope = rng.uniform(-0.15, 0.15, 2)
    img = base[None, None, :] + (xx * slope[0] + yy * slope[1])[..., None]
    for _ in range(int(rng.integers(2, 6))):
        x0, y0 = int(rng.integers(0, WIDTH)), int(rng.integers(0, HEIGHT))
        x1, y1 = x0 + int(rng.integers(40, 300)), y0 + int(rng.integers(40, 300))
        img[y0:y1, x0:x1] = rng.uniform(30, 230, 3)
    img += rng.normal(0, 6, img.shape)
    return np.clip(cv2.GaussianBlur(img, (0, 0), 1.5), 0, 255).astype(np.uint8)


def random_motion(rng: np.random.Generator) -> Motion:
    return Motion(depth_start=rng.uniform(2.6, 3.6), depth_end=rng.uniform(1.9, 2.8),
                  yaw_amp=rng.uniform(5, 25), yaw_period=rng.uniform(2.5, 6.0),
                  pitch_amp=rng.uniform(3, 18), pitch_period=rng.uniform(2.5, 6.0),
                  roll=rng.uniform(-8, 8), tremor_deg=rng.uniform(0.2, 0.8),
                  tremor_px=rng.uniform(0.5, 2.5), centre_x=rng.uniform(0.4, 0.6),
                  centre_y=rng.uniform(0.4, 0.55))


def card_homography(card_wh: tuple[int, int], yaw: float, pitch: float, roll: float,
                    depth: float, centre: tuple[float, float]) -> np.ndarray:
    """3x3 map card pixels -> frame pixels for a flat card rotated by yaw/pitch/roll (degrees)
    at `depth` card widths from a pinhole camera (focal length 1.1 x frame width)."""
    cw, ch = card_wh
    corners = np.array([[-cw / 2, -ch / 2, 0], [cw / 2, -ch / 2, 0], [cw / 2, ch / 2, 0],
                        [-cw / 2, ch / 2, 0]], np.float64)
    rvec = np.radians([pitch, yaw, roll])
    rot, _ = cv2.Rodrigues(rvec)
    pts = corners @ rot.T + np.array([0, 0, depth * cw])
    f = 1.1 * WIDTH * (WIDTH / (1.0 * cw)) / 2.2  # so a card at depth ~2.2 fills ~45% of width
    proj = f * pts[:, :2] / pts[:, 2:3] + np.array(centre)
    src = np.array([[0, 0], [cw, 0], [cw, ch], [0, ch]], np.float32)
    return cv2.getPerspectiveTransform(src, proj.astype(np.float32))


def render(card: np.ndarray, kind: str, motion: Motion, seconds: float,
           rng: np.random.Generator, out: Path) -> int:
    """Write the video; returns the number of frames."""
    background = room(rng)
    writer = cv2.VideoWriter(str(out), cv2.VideoWriter_fourcc(*"mp4v"), FPS, (WIDTH, HEIGHT))
    if not writer.isOpened():
        raise RuntimeError(f"cannot write {out}")
    frames = int(seconds * FPS)
    tremor = np.zeros(5)  # yaw, pitch, roll (deg), x, y (px): a random walk pulled back to 0
    flicker_hz, flicker_amp = rng.uniform(3, 12), rng.uniform(0.02, 0.06)
    glare_xy = rng.uniform(0.2, 0.8, 2)
    ch, cw = card.shape[:2]
    for i in range(frames):
        t = i / FPS
        tremor = 0.7 * tremor + rng.normal(0, 1, 5) * np.array(
            [motion.tremor_deg] * 3 + [motion.tremor_px] * 2)
        yaw = motion.yaw_amp * math.sin(2 * math.pi * t / motion.yaw_period) + tremor[0]
        pitch = motion.pitch_amp * math.sin(2 * math.pi * t / motion.pitch_period + 1.0) + tremor[1]
        depth = motion.depth_start + (motion.depth_end - motion.depth_start) * t / seconds
        centre = (motion.centre_x * WIDTH + tremor[3], motion.centre_y * HEIGHT + tremor[4])
        hom = card_homography((cw, ch), yaw, pitch, motion.roll + tremor[2], depth, centre)
        face = card.astype(np.float32)
        if kind == "phone":
            face *= 1.0 + flicker_amp * math.sin(2 * math.pi * flicker_hz * t)
            gy, gx = np.mgrid[:ch, :cw]
            glare = np.exp(-(((gx / cw - glare_xy[0]) ** 2 + (gy / ch - glare_xy[1]) ** 2) / 0.05))
            face += 60 * glare[..., None]
        warped = cv2.warpPerspective(np.clip(face, 0, 255).astype(np.uint8), hom, (WIDTH, HEIGHT))
        mask = cv2.warpPerspective(np.full((ch, cw), 255, np.uint8), hom, (WIDTH, HEIGHT))
        frame = np.where(mask[..., None] > 127, warped, background).astype(np.float32)
        frame = frame * rng.uniform(0.97, 1.03) + rng.normal(0, 3, frame.shape)
        frame = cv2.GaussianBlur(np.clip(frame, 0, 255).astype(np.uint8), (0, 0), 0.6)
        writer.write(cv2.cvtColor(frame, cv2.COLOR_RGB2BGR))
    writer.release()
    return frames


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--photos", nargs="+", type=Path, required=True)
    ap.add_argument("--out", type=Path, required=True)
    ap.add_argument("--count", type=int, default=10)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--seconds", type=float, default=6.0)
    ap.add_argument("--kind", choices=["print", "phone", "mixed"], default="mixed")
    args = ap.parse_args(argv)
    photos = find_photos(args.photos)
    if not photos:
        print(f"no photos found in {args.photos}", file=sys.stderr)
        return 2
    rng = np.random.default_rng(args.seed)
    detector = MtcnnFaceDetector(min_face_size=40)
    args.out.mkdir(parents=True, exist_ok=True)
    truth = []
    order = rng.permutation(len(photos))
    tried = 0
    while len(truth) < args.count and tried < len(photos):
        photo = photos[order[tried % len(photos)]]
        tried += 1
        face = portrait(load_image_rgb(photo), detector)
        if face is None:
            continue
        kind = args.kind if args.kind != "mixed" else ("print", "phone")[len(truth) % 2]
        motion = random_motion(rng)
        name = f"attack_{args.seed}_{len(truth):03d}_{kind}.mp4"
        frames = render(make_card(face, kind, rng), kind, motion, args.seconds, rng, args.out / name)
        truth.append({"file": name, "label": "attack", "kind": kind, "photo": str(photo),
                      "seed": args.seed, "frames": frames, "fps": FPS, "motion": asdict(motion)})
        print(f"{name}: {kind} of {photo}", file=sys.stderr)
    (args.out / "truth.json").write_text(json.dumps(truth, indent=1), encoding="utf-8")
    print(json.dumps({"videos": len(truth), "out": str(args.out)}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
