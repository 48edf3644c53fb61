"""TaskRunner: one-shot background jobs (model loading, training, export, folder enrolment).

A job is a plain callable `job(ctx: TaskContext) -> result`. It runs on a QThreadPool thread and
talks back only through `ctx.report_progress(fraction, message)` and `ctx.is_cancelled()`; the
result, the error and the progress arrive through Qt signals, i.e. in GUI-thread slots (DESIGN.md
section 3 and example 6: workers only emit, widgets change only in GUI-thread slots).
"""

from __future__ import annotations

import logging
import threading
import traceback
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from PySide6.QtCore import QObject, QRunnable, QThreadPool, Signal, Slot

log = logging.getLogger(__name__)

Job = Callable[["TaskContext"], Any]


class TaskCancelled(Exception):
    """Raised by a job (via `TaskContext.raise_if_cancelled`) to stop early on request."""


@dataclass
class TaskContext:
    """What a running job may use: progress reports and the cancel flag. Thread-safe."""

    _emit_progress: Callable[[float, str], None]
    _cancel: threading.Event = field(default_factory=threading.Event)

    def report_progress(self, fraction: float, message: str = "") -> None:
        """fraction in [0, 1] (clipped); message is shown in the status bar or a dialog."""
        self._emit_progress(min(1.0, max(0.0, float(fraction))), message)

    def is_cancelled(self) -> bool:
        return self._cancel.is_set()

    def raise_if_cancelled(self) -> None:
        if self._cancel.is_set():
            raise TaskCancelled()


class _TaskSignals(QObject):
    """Lives in the GUI thread; emitting from the pool thread queues the call into it."""

    progress = Signal(float, str)
    succeeded = Signal(object)
    failed = Signal(object)  # the exception instance
    cancelled = Signal()
    finished = Signal()


class TaskHandle(QObject):
    """A submitted job: cancel it, and connect to its outcome signals."""

    def __init__(self, name: str, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.name = name
        self.signals = _TaskSignals(self)
        self.context = TaskContext(self.signals.progress.emit)
        self.done = False
        self.signals.finished.connect(self._mark_done)

    def cancel(self) -> None:
        """Ask the job to stop; it stops at its next `is_cancelled()` check."""
        self.context._cancel.set()

    @Slot()
    def _mark_done(self) -> None:
        self.done = True


class _Runnable(QRunnable):
    def __init__(self, job: Job, handle: TaskHandle) -> None:
        super().__init__()
        self._job = job
        self._handle = handle
        self.setAutoDelete(True)

    def run(self) -> None:  # pool thread: only emit signals here
        sig = self._handle.signals
        try:
            result = self._job(self._handle.context)
        except TaskCancelled:
            sig.cancelled.emit()
        except Exception as exc:  # the boundary: every failure reaches the GUI as a message
            log.error("task %s failed:\n%s", self._handle.name, traceback.format_exc())
            sig.failed.emit(exc)
        else:
            if self._handle.context.is_cancelled():
                sig.cancelled.emit()
            else:
                sig.succeeded.emit(result)
        finally:
            sig.finished.emit()


class TaskRunner(QObject):
    """Submits jobs to a thread pool and keeps their handles alive until they finish."""

    def __init__(self, parent: QObject | None = None, max_threads: int = 2) -> None:
        super().__init__(parent)
        self._pool = QThreadPool(self)
        self._pool.setMaxThreadCount(max_threads)
        self._handles: set[TaskHandle] = set()

    def submit(self, name: str, job: Job, *,
               on_success: Callable[[Any], None] | None = None,
               on_error: Callable[[BaseException], None] | None = None,
               on_progress: Callable[[float, str], None] | None = None,
               on_cancelled: Callable[[], None] | None = None,
               on_finished: Callable[[], None] | None = None) -> TaskHandle:
        """Run `job` in the background; the callbacks run later in the GUI thread."""
        handle = TaskHandle(name, self)
        sig = handle.signals
        if on_success:
            sig.succeeded.connect(on_success)
        if on_error:
            sig.failed.connect(on_error)
        if on_progress:
            sig.progress.connect(on_progress)
        if on_cancelled:
            sig.cancelled.connect(on_cancelled)
        if on_finished:
            sig.finished.connect(on_finished)
        # Connected before start(): a cross-thread emit with no receiver yet would be lost.
        sig.finished.connect(lambda h=handle: self._handles.discard(h))
        self._handles.add(handle)
        self._pool.start(_Runnable(job, handle))
        return handle

    @property
    def active_count(self) -> int:
        return len(self._handles)

    def cancel_all(self) -> None:
        for handle in list(self._handles):
            handle.cancel()

    def wait_for_done(self, msecs: int = 30000) -> bool:
        """Cancel nothing, just wait for the pool (used at shutdown and in tests)."""
        return self._pool.waitForDone(msecs)
