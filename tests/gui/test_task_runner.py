"""TaskRunner: results, errors and progress arrive in the GUI thread; cancel stops a job."""

from __future__ import annotations

import threading
import time

from PySide6.QtCore import QThread

from attendance_app.domain.errors import TrainingError
from attendance_app.gui.error_presenter import ErrorPresenter
from attendance_app.gui.task_runner import TaskRunner


def test_result_and_progress_are_delivered_in_the_gui_thread(qtbot):
    runner = TaskRunner()
    gui_thread = QThread.currentThread()
    job_threads, seen = [], []

    def job(ctx):
        job_threads.append(threading.current_thread())
        ctx.report_progress(0.5, "half")
        return 42

    def on_progress(fraction, message):
        seen.append(("progress", fraction, message, QThread.currentThread() is gui_thread))

    def on_success(result):
        seen.append(("ok", result, QThread.currentThread() is gui_thread))

    handle = runner.submit("answer", job, on_success=on_success, on_progress=on_progress)
    qtbot.waitUntil(lambda: handle.done, timeout=3000)
    assert job_threads[0] is not threading.main_thread()
    assert ("progress", 0.5, "half", True) in seen
    assert ("ok", 42, True) in seen


def test_a_domain_error_reaches_the_error_boundary_as_its_plain_message(qtbot, recorded_errors):
    runner = TaskRunner()
    presenter = ErrorPresenter(sink=recorded_errors)

    def job(ctx):
        raise TrainingError("at least 2 people are needed to train")

    handle = runner.submit("train", job,
                           on_error=lambda exc: presenter.present("Training failed", exc))
    qtbot.waitUntil(lambda: handle.done, timeout=3000)
    assert recorded_errors.messages == [("Training failed", "at least 2 people are needed to train")]


def test_cancel_stops_a_cooperative_job_and_reports_cancelled(qtbot):
    runner = TaskRunner()
    outcome = []

    def job(ctx):
        for _ in range(500):
            ctx.raise_if_cancelled()
            time.sleep(0.01)
        return "finished"

    handle = runner.submit("long", job, on_success=outcome.append,
                           on_cancelled=lambda: outcome.append("cancelled"))
    qtbot.wait(50)
    handle.cancel()
    qtbot.waitUntil(lambda: handle.done, timeout=3000)
    assert outcome == ["cancelled"]
    assert runner.active_count == 0
