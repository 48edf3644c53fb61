"""Read MNIST-style IDX files (optionally .gz) with numpy alone."""

from __future__ import annotations

import gzip
from pathlib import Path

import numpy as np

from attendance_app.domain.errors import ValidationError

_IDX_DTYPES = {0x08: np.uint8, 0x09: np.int8, 0x0B: ">i2", 0x0C: ">i4", 0x0D: ">f4", 0x0E: ">f8"}


def read_idx(path: Path) -> np.ndarray:
    """Parse one IDX file (magic: two zero bytes, a dtype code, the number of dimensions; then one
    big-endian uint32 per dimension; then the data). Returns the array in its stored shape, e.g.
    (N, 28, 28) uint8 for images, (N,) uint8 for labels. Raises ValidationError on a bad header or
    a size that does not match."""
    opener = gzip.open if path.suffix == ".gz" else open
    with opener(path, "rb") as handle:
        data = handle.read()
    if len(data) < 4 or data[0] != 0 or data[1] != 0 or data[2] not in _IDX_DTYPES:
        raise ValidationError(f"{path.name} is not an IDX file")
    ndim = data[3]
    shape = tuple(int(v) for v in np.frombuffer(data, ">u4", count=ndim, offset=4))
    dtype = np.dtype(_IDX_DTYPES[data[2]])
    offset = 4 + 4 * ndim
    if len(data) - offset != int(np.prod(shape)) * dtype.itemsize:
        raise ValidationError(f"{path.name}: header says {shape}, data size differs")
    return np.frombuffer(data, dtype, offset=offset).reshape(shape).astype(dtype.newbyteorder("="))


def load_mnist_folder(folder: Path) -> tuple[np.ndarray, np.ndarray]:
    """Images (N, 28, 28) uint8 and labels (N,) int64 from the one `*images*idx3*` and one
    `*labels*idx1*` file of `folder`. Raises ValidationError when either is missing or they
    disagree on N."""
    images = sorted(folder.glob("*images*idx3*"))
    labels = sorted(folder.glob("*labels*idx1*"))
    if not images or not labels:
        raise ValidationError(f"no MNIST idx image/label files in {folder}")
    x, y = read_idx(images[0]), read_idx(labels[0]).astype(np.int64)
    if x.ndim != 3 or y.shape != (x.shape[0],):
        raise ValidationError(f"MNIST files in {folder} disagree: images {x.shape}, labels {y.shape}")
    return x, y
