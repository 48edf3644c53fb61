"""Issue 2 end to end through the CLI entry point: real MTCNN, real converted FaceNet, real
SQLite file, real photos from ../shared/datasets."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest

pytestmark = pytest.mark.integration


@pytest.fixture
def video_photos(dataset) -> Path:
    return dataset("face_recognition_video")


@pytest.fixture
def examples(dataset) -> Path:
    return dataset("face_recognition_examples")


def _count(data_dir: Path, table: str) -> int:
    with sqlite3.connect(data_dir / "attendance.db") as conn:
        return conn.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0]


def test_enrolled_people_are_identified_by_name_and_strangers_are_unknown(cli, video_photos,
                                                                          examples) -> None:
    assert cli("enroll", "Lin-Manuel Miranda", str(video_photos / "lin-manuel-miranda.png"),
               "--external-id", "S1", "--group", "Cast", "--consent")[0] == 0
    assert cli("enroll", "Alex Lacamoire", str(video_photos / "alex-lacamoire.png"),
               "--group", "Cast", "--consent")[0] == 0

    code, out, _ = cli("identify", "--json", str(examples / "alex_lacamoire" / "alex_lacamoire1.jpg"),
                       str(examples / "obama" / "obama.jpg"))
    assert code == 0
    faces = [json.loads(line) for line in out.splitlines()]
    by_photo = {Path(f["photo"]).parent.name: f for f in faces}
    assert by_photo["alex_lacamoire"]["name"] == "Alex Lacamoire"
    assert by_photo["alex_lacamoire"]["runner_up"] == "Lin-Manuel Miranda"
    assert by_photo["obama"]["name"] == "Unknown" and by_photo["obama"]["known"] is False

    code, out, _ = cli("people", "list", "--json")
    people = {p["name"]: p for p in json.loads(out)}
    assert people["Lin-Manuel Miranda"]["external_id"] == "S1"
    assert people["Lin-Manuel Miranda"]["templates"] == 1


def test_a_photo_with_two_faces_is_refused_with_the_count_unless_largest_is_given(
        cli, examples, data_dir) -> None:
    photo = examples / "_multi_face" / "two_people.jpg"
    code, _, err = cli("enroll", "Someone", str(photo), "--consent")
    assert code == 2
    assert "2 faces found" in err and "two_people.jpg" in err
    assert _count(data_dir, "people") == 0 and _count(data_dir, "templates") == 0

    code, _, _ = cli("enroll", "Someone", str(photo), "--consent", "--largest")
    assert code == 0 and _count(data_dir, "templates") == 1


def test_unreadable_and_empty_files_are_named_and_nothing_is_written(cli, tmp_path, video_photos,
                                                                     data_dir) -> None:
    empty = tmp_path / "empty.jpg"
    empty.write_bytes(b"")
    truncated = tmp_path / "truncated.png"
    truncated.write_bytes((video_photos / "lin-manuel-miranda.png").read_bytes()[:300])
    for bad in (empty, truncated):
        code, _, err = cli("enroll", "Ada", str(video_photos / "lin-manuel-miranda.png"),
                           str(bad), "--consent")
        assert code == 2 and bad.name in err
    assert _count(data_dir, "people") == 0


def test_enrolment_without_consent_is_refused(cli, video_photos, data_dir) -> None:
    code, _, err = cli("enroll", "Ada", str(video_photos / "lin-manuel-miranda.png"))
    assert code == 2 and "consent" in err
    assert not (data_dir / "attendance.db").exists() or _count(data_dir, "people") == 0


def test_enrolling_a_face_that_matches_someone_else_warns_with_their_name(cli, examples) -> None:
    cli("enroll", "Barack Obama", str(examples / "obama" / "obama.jpg"), "--consent")
    code, _, err = cli("enroll", "Not Obama", str(examples / "obama" / "obama2.jpg"), "--consent")
    assert code == 0
    assert "already matches Barack Obama" in err


def test_removing_a_person_deletes_their_biometric_data_and_unknown_ids_are_refused(
        cli, video_photos, data_dir) -> None:
    cli("enroll", "Ada", str(video_photos / "lin-manuel-miranda.png"), "--consent",
        "--external-id", "S9")
    assert _count(data_dir, "face_crops") == 1
    code, _, err = cli("people", "remove", "nobody-here", "--yes")
    assert code == 2 and "nobody-here" in err
    code, out, _ = cli("people", "remove", "S9", "--yes")
    assert code == 0 and "deleted Ada" in out
    assert _count(data_dir, "face_crops") == 0 and _count(data_dir, "templates") == 0


def test_enroll_folder_enrols_each_sub_folder_and_lists_refused_photos(cli, examples) -> None:
    code, out, _ = cli("enroll-folder", str(examples), "--consent", "--json")
    assert code == 0
    summary = json.loads(out.strip().splitlines()[-1])
    enrolled = {e["name"]: e["photos"] for e in summary["enrolled"]}
    # Five people; the _multi_face folder is not a person.
    assert set(enrolled) == {"alex_lacamoire", "biden", "kit_harington", "obama", "rose_leslie"}
    assert all(count >= 1 for count in enrolled.values())
    total_photos = sum(1 for p in examples.glob("[!_]*/*") if p.suffix.lower() in {".jpg", ".jpeg", ".png"})
    assert sum(enrolled.values()) + len(summary["refused"]) == total_photos


def test_identify_on_a_group_photo_prints_each_face_with_its_index_and_box(cli, examples):
    photo = examples / "_multi_face" / "two_people.jpg"
    code, out, _ = cli("identify", str(photo))
    assert code == 0
    lines = out.strip().splitlines()
    assert len(lines) == 2
    assert "face 1 of 2 at x " in lines[0] and "face 2 of 2 at x " in lines[1]
    assert lines[0].split(": ")[1] != lines[1].split(": ")[1]  # the boxes tell them apart
    code, out, _ = cli("identify", "--json", str(photo))
    faces = [json.loads(line) for line in out.splitlines()]
    assert [f["face"] for f in faces] == [1, 2] and all(len(f["box"]) == 4 for f in faces)
