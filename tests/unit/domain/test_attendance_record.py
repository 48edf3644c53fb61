from datetime import datetime

from attendance_app.domain.attendance import AttendanceRecord, AttendanceStatus, Correction

T = datetime(2026, 11, 26, 9, 0)


def _correction(action: str, status: AttendanceStatus | None) -> Correction:
    return Correction(record_id=1, action=action, new_status=status, by="teacher", at=T)


def test_corrections_apply_in_order_and_undo_restores_the_previous_status() -> None:
    record = AttendanceRecord(session_id=1, person_id=1, status=AttendanceStatus.ABSENT, time=T)
    assert record.effective_status is AttendanceStatus.ABSENT
    excused = AttendanceRecord(**{**record.__dict__, "corrections": (
        _correction("excuse", AttendanceStatus.EXCUSED),)})
    assert excused.effective_status is AttendanceStatus.EXCUSED
    undone = AttendanceRecord(**{**record.__dict__, "corrections": (
        _correction("excuse", AttendanceStatus.EXCUSED), _correction("undo", None))})
    assert undone.effective_status is AttendanceStatus.ABSENT
    assert undone.status is AttendanceStatus.ABSENT  # the original is never overwritten
