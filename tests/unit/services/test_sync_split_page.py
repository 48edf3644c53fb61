"""A big pull is applied in small local transactions; only the last moves the version."""

from __future__ import annotations

from attendance_app.services.sync.sync_engine import split_page
from attendance_app.storage.pg_server import PullPage


def test_a_page_is_split_deletions_first_and_only_the_last_part_moves_the_version() -> None:
    page = PullPage(["d1"], [{"uid": f"p{i}"} for i in range(7)],
                    [{"uid": f"t{i}"} for i in range(5)], up_to=42, more=False)
    parts = split_page(page, since=10, size=3)
    assert [len(p.deletions) + len(p.people) + len(p.templates) for p in parts] == \
        [1, 3, 3, 1, 3, 2]
    assert parts[0].deletions == ["d1"] and not parts[0].people
    assert [p.up_to for p in parts] == [10] * 5 + [42]
    assert parts[-1].more is False
    assert [t["uid"] for p in parts for t in p.templates] == [f"t{i}" for i in range(5)]


def test_an_empty_page_still_records_the_version() -> None:
    parts = split_page(PullPage([], [], [], up_to=7, more=False), since=7, size=500)
    assert len(parts) == 1 and parts[0].up_to == 7
