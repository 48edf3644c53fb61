"""Fakes for the benchmark tests: a colour-patch dataset and an embedder that sees colour."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from PIL import Image

COLOURS = [(200, 30, 30), (30, 200, 30), (30, 30, 200), (200, 200, 30), (30, 200, 200),
           (200, 30, 200), (120, 120, 120), (250, 140, 0), (90, 0, 160), (0, 90, 60)]


class ColourEmbedder:
    """Embeds a crop as its unit-normalised mean colour, padded to 512-d: same colour, same
    person. Counts calls to prove images are embedded once."""

    def __init__(self) -> None:
        self.images_embedded = 0

    def embed(self, crops: np.ndarray) -> np.ndarray:
        crops = np.asarray(crops, np.float32)
        self.images_embedded += len(crops)
        mean = crops.mean(axis=(1, 2)) - 127.5
        out = np.zeros((len(crops), 512), np.float32)
        out[:, :3] = mean
        return out / np.linalg.norm(out, axis=1, keepdims=True)


@pytest.fixture
def colour_embedder() -> ColourEmbedder:
    return ColourEmbedder()


@pytest.fixture
def colour_dataset(tmp_path: Path) -> Path:
    """10 identities x 4 images of noisy colour patches, plus a `_strangers` folder to skip."""
    rng = np.random.default_rng(0)
    root = tmp_path / "set"
    for i, colour in enumerate(COLOURS):
        folder = root / f"person{i}"
        folder.mkdir(parents=True)
        for j in range(4):
            noise = rng.integers(-15, 16, (40, 30, 3))
            arr = np.clip(np.array(colour) + noise, 0, 255).astype(np.uint8)
            Image.fromarray(arr).save(folder / f"{j + 1}.png")
    (root / "_strangers").mkdir()
    Image.fromarray(np.zeros((10, 10, 3), np.uint8)).save(root / "_strangers" / "x.png")
    return root
