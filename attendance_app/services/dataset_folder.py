"""Iterate a `<set>/<identity>/<image>` dataset folder in a stable order.

Folders starting with `_` or `.` are not identities (e.g. `_multi_face`, `_unknown_singletons`).
Images are sorted by file name in natural order ('2.pgm' before '10.pgm').
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from attendance_app.domain.errors import ValidationError

IMAGE_SUFFIXES = frozenset({".jpg", ".jpeg", ".png", ".pgm", ".ppm", ".bmp", ".gif",
                            ".tif", ".tiff", ".webp"})


@dataclass(frozen=True)
class Identity:
    """One identity folder: its name and its image paths in natural file-name order."""

    name: str
    images: tuple[Path, ...]


def natural_key(name: str) -> list[object]:
    """Sort key that orders embedded numbers numerically: 'img2' < 'img10'."""
    return [int(part) if part.isdigit() else part.lower() for part in re.split(r"(\d+)", name)]


def list_identities(root: str | Path, max_per_id: int | None = None,
                    min_images: int = 1) -> list[Identity]:
    """Identities under `root` sorted by name, each with up to max_per_id images (the first
    ones in natural order); identities with fewer than min_images images are left out.
    Raises FileNotFoundError when root is not a directory."""
    root = Path(root)
    if not root.is_dir():
        raise FileNotFoundError(f"dataset folder not found: {root}")
    identities = []
    for folder in sorted(root.iterdir(), key=lambda p: natural_key(p.name)):
        if not folder.is_dir() or folder.name.startswith(("_", ".")):
            continue
        images = sorted((p for p in folder.iterdir()
                         if p.is_file() and p.suffix.lower() in IMAGE_SUFFIXES),
                        key=lambda p: natural_key(p.name))
        if max_per_id is not None:
            images = images[:max_per_id]
        if len(images) >= min_images:
            identities.append(Identity(folder.name, tuple(images)))
    return identities


def people_folders(folder: str | Path) -> list[Identity]:
    """The identities of a folder a user chose for enrolment (one sub-folder per person).
    ValidationError, said so that the user can act on it, when it is not a folder or holds none."""
    folder = Path(folder)
    if not folder.is_dir():
        raise ValidationError(f"{folder} is not a folder")
    identities = list_identities(folder)
    if not identities:
        raise ValidationError(f"{folder} has no sub-folders with photos (one per person)")
    return identities


def person_from_folder(folder_name: str) -> tuple[str, str | None]:
    """(person name, external id) for a folder of a folder enrolment (issue 13).

    'ben_afflek' -> ('Ben Afflek', None); '1042' -> ('Person 1042', '1042');
    '1042_ada_lovelace' or 'ada-lovelace_1042' -> ('Ada Lovelace', '1042'). Words keep inner
    capitals ("McGregor") and are only capitalised when written all in lower case."""
    words = [w for w in re.split(r"[_\-.\s]+", folder_name.strip()) if w]
    ids = [w for w in words if w.isdigit()]
    names = [w for w in words if not w.isdigit()]
    external_id = ids[0] if len(ids) == 1 else ("_".join(ids) if ids else None)
    if not names:
        return f"Person {external_id or folder_name}", external_id
    name = " ".join(w.capitalize() if w.islower() else w for w in names)
    return name, external_id
