"""dataset_folder: identities in order, `_` folders skipped, natural image order, limits."""

from __future__ import annotations

from pathlib import Path

import pytest

from attendance_app.services.dataset_folder import list_identities


def _touch(path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(b"x")


def test_underscore_folders_and_non_images_are_skipped(tmp_path: Path) -> None:
    _touch(tmp_path / "ada" / "1.jpg")
    _touch(tmp_path / "ada" / "notes.txt")
    _touch(tmp_path / "_multi_face" / "1.jpg")
    _touch(tmp_path / "SOURCE.md")
    ids = list_identities(tmp_path)
    assert [i.name for i in ids] == ["ada"]
    assert [p.name for p in ids[0].images] == ["1.jpg"]


def test_images_are_in_natural_order_and_limited_per_identity(tmp_path: Path) -> None:
    for n in (10, 2, 1, 3):
        _touch(tmp_path / "s1" / f"{n}.pgm")
    ids = list_identities(tmp_path, max_per_id=3)
    assert [p.name for p in ids[0].images] == ["1.pgm", "2.pgm", "3.pgm"]


def test_identities_with_too_few_images_are_left_out(tmp_path: Path) -> None:
    _touch(tmp_path / "one" / "a.png")
    _touch(tmp_path / "two" / "a.png")
    _touch(tmp_path / "two" / "b.png")
    assert [i.name for i in list_identities(tmp_path, min_images=2)] == ["two"]


def test_a_missing_folder_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError):
        list_identities(tmp_path / "absent")
