"""Synthetic grey scenes for the pixel-motion cue: a flat textured picture moved by homographies
(what a print or a phone does) and a two-depth scene with parallax (what a head does)."""

from __future__ import annotations

import cv2
import numpy as np


def texture(side: int, seed: int, blob_px: int = 4) -> np.ndarray:
    """(side, side) uint8 smooth random texture with corners to track."""
    rng = np.random.default_rng(seed)
    coarse = rng.uniform(0, 255, (side // blob_px, side // blob_px)).astype(np.float32)
    img = cv2.resize(coarse, (side, side), interpolation=cv2.INTER_CUBIC)
    return np.clip(cv2.GaussianBlur(img, (0, 0), 1.0), 0, 255).astype(np.uint8)


def tremor_homography(rng: np.random.Generator, centre: tuple[float, float]) -> np.ndarray:
    """A hand's small random tilt, turn and shift of a picture, about `centre`."""
    shift = np.array([[1, 0, -centre[0]], [0, 1, -centre[1]], [0, 0, 1]])
    move = np.eye(3) + np.array([[rng.normal(0, .02), rng.normal(0, .02), rng.normal(0, 3)],
                                 [rng.normal(0, .02), rng.normal(0, .02), rng.normal(0, 3)],
                                 [rng.normal(0, 2e-4), rng.normal(0, 2e-4), 0]])
    return np.linalg.inv(shift) @ move @ shift


def warp(picture: np.ndarray, hom: np.ndarray) -> np.ndarray:
    h, w = picture.shape[:2]
    return cv2.warpPerspective(picture, hom, (w, h), borderMode=cv2.BORDER_REFLECT)


def two_depth(background: np.ndarray, foreground: np.ndarray, centre: tuple[float, float],
              radius: float, shift_px: float) -> np.ndarray:
    """`foreground` inside a disc at `centre`, moved by `shift_px` to the right over a still
    `background` (a near surface against a far one: parallax no homography explains)."""
    h, w = background.shape[:2]
    move = np.float32([[1, 0, shift_px], [0, 1, 0]])
    yy, xx = np.mgrid[:h, :w]
    disc = (((xx - centre[0]) ** 2 + (yy - centre[1]) ** 2) < radius ** 2).astype(np.uint8)
    fg = cv2.warpAffine(foreground, move, (w, h), borderMode=cv2.BORDER_REFLECT)
    mask = cv2.warpAffine(disc, move, (w, h)) > 0
    return np.where(mask, fg, background).astype(np.uint8)
