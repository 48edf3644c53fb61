"""The status bar's server label: shows what the backend says, hides without a server."""

from __future__ import annotations

from attendance_app.gui.sync_status_widget import SyncStatusLabel


def test_the_label_follows_the_backend_and_hides_when_no_server(qtbot) -> None:
    state = {"text": "offline, 3 record(s) waiting"}
    label = SyncStatusLabel(lambda: state["text"], interval_ms=10_000)
    qtbot.addWidget(label)
    label.show()
    assert label.text() == "Server: offline, 3 record(s) waiting" and label.isVisible()
    state["text"] = None
    label.refresh()
    assert not label.isVisible()


def test_a_failing_status_is_shown_not_raised(qtbot) -> None:
    def broken() -> str:
        raise RuntimeError("boom")

    label = SyncStatusLabel(broken, interval_ms=10_000)
    qtbot.addWidget(label)
    assert "boom" in label.text()
