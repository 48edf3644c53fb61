from dataclasses import replace
from datetime import datetime, timedelta

import pytest

from attendance_app.domain.attendance import AttendanceStatus, RecordSource
from attendance_app.domain.attendance_policy import (
    AttendancePolicy,
    arrival_correction,
    awaits_arrival,
    excuse,
    make_correction,
    mark_present,
    undo,
)
from attendance_app.domain.errors import ValidationError
from attendance_app.domain.session import Session

START = datetime(2026, 11, 26, 9, 0)
SESSION = Session(id=7, name="Math 101", started_at=START, roster_group="7B",
                  late_after=START + timedelta(minutes=10))
ADA, BOB, CY, STRANGER = 1, 2, 3, 99


def _at(minutes: float) -> datetime:
    return START + timedelta(minutes=minutes)


def _policy(roster: set[int] | None = None, record_not_on_roster: bool = True,
            **kw) -> AttendancePolicy:
    return AttendancePolicy(SESSION, {ADA, BOB, CY} if roster is None else roster,
                            record_not_on_roster, **kw)


def test_first_sighting_before_late_after_is_present_with_time_and_similarity() -> None:
    decision = _policy().on_sighting(ADA, _at(2), 0.81)
    assert decision is not None
    assert (decision.person_id, decision.status, decision.time) == (ADA, AttendanceStatus.PRESENT, _at(2))
    assert decision.similarity == 0.81
    assert decision.source is RecordSource.RECOGNIZED
    assert decision.session_id == SESSION.id


def test_arriving_after_late_after_is_late_but_exactly_at_it_is_present() -> None:
    policy = _policy()
    assert policy.on_sighting(ADA, _at(10), 0.8).status is AttendanceStatus.PRESENT
    assert policy.on_sighting(BOB, _at(10.01), 0.8).status is AttendanceStatus.LATE


def test_later_sightings_of_the_same_person_add_no_record() -> None:
    policy = _policy()
    assert policy.on_sighting(ADA, _at(1), 0.7) is not None
    assert policy.on_sighting(ADA, _at(1.1), 0.9) is None
    assert policy.on_sighting(ADA, _at(30), 0.9) is None
    assert policy.recorded_person_ids == {ADA}


def test_someone_off_the_roster_is_recorded_as_such_or_ignored_by_setting() -> None:
    recorded = _policy(record_not_on_roster=True).on_sighting(STRANGER, _at(1), 0.7)
    assert recorded.status is AttendanceStatus.PRESENT_NOT_ON_ROSTER
    ignoring = _policy(record_not_on_roster=False)
    assert ignoring.on_sighting(STRANGER, _at(1), 0.7) is None
    assert STRANGER not in ignoring.recorded_person_ids


def test_without_a_roster_everyone_recognised_is_present_or_late_and_nobody_is_absent() -> None:
    policy = AttendancePolicy(SESSION, roster=None, record_not_on_roster=False)
    assert policy.on_sighting(STRANGER, _at(1), 0.7).status is AttendanceStatus.PRESENT
    assert policy.on_sighting(ADA, _at(20), 0.7).status is AttendanceStatus.LATE
    assert policy.close(_at(60)) == []


def test_closing_marks_every_roster_member_without_a_record_absent_once() -> None:
    policy = _policy()
    policy.on_sighting(BOB, _at(3), 0.8)
    absents = policy.close(_at(60))
    assert [(d.person_id, d.status, d.source) for d in absents] == [
        (ADA, AttendanceStatus.ABSENT, RecordSource.SESSION_CLOSE),
        (CY, AttendanceStatus.ABSENT, RecordSource.SESSION_CLOSE)]
    assert all(d.time == _at(60) and d.similarity is None for d in absents)
    assert policy.close(_at(61)) == []


def test_a_sighting_after_close_adds_nothing() -> None:
    policy = _policy()
    policy.close(_at(60))
    assert policy.on_sighting(ADA, _at(61), 0.9) is None


def test_closing_before_the_start_is_refused() -> None:
    with pytest.raises(ValidationError):
        _policy().close(START - timedelta(minutes=1))


def test_a_resumed_session_does_not_record_people_again_nor_mark_them_absent() -> None:
    policy = _policy(already_recorded=[ADA])
    assert policy.on_sighting(ADA, _at(2), 0.9) is None
    assert [d.person_id for d in policy.close(_at(60))] == [BOB, CY]


def test_manual_present_is_a_manual_record_and_debounces_the_camera() -> None:
    policy = _policy()
    decision = policy.mark_present_manually(CY, _at(15))
    assert (decision.status, decision.source, decision.similarity) == (
        AttendanceStatus.LATE, RecordSource.MANUAL, None)
    assert policy.on_sighting(CY, _at(16), 0.9) is None
    with pytest.raises(ValidationError):
        policy.mark_present_manually(CY, _at(17))


def test_a_decision_becomes_a_record_only_for_a_saved_session() -> None:
    record = _policy().on_sighting(ADA, _at(1), 0.8).to_record(thumbnail_png=b"png")
    assert (record.session_id, record.person_id, record.thumbnail_png) == (7, ADA, b"png")
    unsaved = AttendancePolicy(replace(SESSION, id=None), None).on_sighting(ADA, _at(1), 0.8)
    with pytest.raises(ValidationError):
        unsaved.to_record()


def _saved_absent_record():
    decision = _policy().close(_at(60))[0]
    return replace(decision.to_record(), id=42)


def test_corrections_keep_the_original_and_undo_restores_the_previous_status() -> None:
    record = _saved_absent_record()
    excused = replace(record, corrections=(excuse(record, "Ms Smith", _at(61), "doctor"),))
    assert excused.corrections[0].reason == "doctor"
    assert excused.corrections[0].by == "Ms Smith"
    present = replace(excused, corrections=(*excused.corrections,
                                            mark_present(excused, "Ms Smith", _at(62))))
    assert present.effective_status is AttendanceStatus.PRESENT
    undone = replace(present, corrections=(*present.corrections,
                                           undo(present, "Ms Smith", _at(63))))
    assert undone.effective_status is AttendanceStatus.EXCUSED
    assert undone.status is AttendanceStatus.ABSENT
    assert all(c.record_id == 42 for c in undone.corrections)


def test_undo_with_nothing_to_undo_is_refused() -> None:
    record = _saved_absent_record()
    with pytest.raises(ValidationError):
        undo(record, "Ms Smith", _at(61))
    once = replace(record, corrections=(excuse(record, "Ms Smith", _at(61)),))
    twice = replace(once, corrections=(*once.corrections, undo(once, "Ms Smith", _at(62))))
    with pytest.raises(ValidationError):
        undo(twice, "Ms Smith", _at(63))


@pytest.mark.parametrize("action, by, record_id", [
    ("mark_absent", "Ms Smith", 42),   # already absent: nothing would change
    ("teleport", "Ms Smith", 42),      # no such action
    ("excuse", "  ", 42),              # no author
    ("excuse", "Ms Smith", None),      # unsaved record
])
def test_meaningless_or_anonymous_corrections_are_refused(action, by, record_id) -> None:
    record = replace(_saved_absent_record(), id=record_id)
    with pytest.raises(ValidationError):
        make_correction(record, action, by, _at(61))


def test_an_excused_hand_made_record_gets_the_cameras_arrival_and_keeps_the_excuse() -> None:
    manual = replace(_saved_absent_record(), source=RecordSource.MANUAL, time=_at(2))
    excused = replace(manual, corrections=(excuse(manual, "alice", _at(3), "dentist"),))
    assert awaits_arrival(excused)
    status = _policy().arrival_status(_at(25))
    arrived = arrival_correction(excused, status, _at(25), 0.81)
    assert (arrived.action, arrived.by, arrived.new_status) == ("arrive", "camera",
                                                                AttendanceStatus.LATE)
    after = replace(excused, corrections=(*excused.corrections, arrived))
    assert after.effective_status is AttendanceStatus.LATE and not awaits_arrival(after)
    assert after.arrival_time == _at(25) and excused.arrival_time == _at(2)
    undone = replace(after, corrections=(*after.corrections, undo(after, "alice", _at(30))))
    assert undone.effective_status is AttendanceStatus.EXCUSED and undone.arrival_time == _at(2)


def test_a_recognised_record_never_gets_an_arrival_correction() -> None:
    recognised = replace(_saved_absent_record(), source=RecordSource.RECOGNIZED)
    excused = replace(recognised, corrections=(excuse(recognised, "alice", _at(3)),))
    assert not awaits_arrival(excused)
    with pytest.raises(ValidationError):
        arrival_correction(excused, AttendanceStatus.PRESENT, _at(4), 0.9)
