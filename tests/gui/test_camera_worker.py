"""CameraWorker: frames arrive in order with rising sequence numbers, it stops cooperatively,
and a missing camera is reported, not crashed on."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pytest

from attendance_app.domain.errors import CameraError
from attendance_app.gui.workers.camera_worker import CameraWorker


@dataclass
class _Frame:
    rgb: np.ndarray
    timestamp_s: float


class _ListSource:
    """A finite, non-live source of small frames (a fake camera at the edge)."""

    is_live = False

    def __init__(self, n: int, fps: float = 100.0) -> None:
        self._frames = [_Frame(np.full((4, 4, 3), i, np.uint8), i / fps) for i in range(n)]
        self.closed = False
        self.opened = False

    def open(self) -> None:
        self.opened = True

    def read(self):
        return self._frames.pop(0) if self._frames else None

    def close(self) -> None:
        self.closed = True


class _EndlessCamera:
    is_live = True

    def __init__(self) -> None:
        self.closed = False

    def read(self):
        return np.zeros((4, 4, 3), np.uint8)

    def close(self) -> None:
        self.closed = True


def test_worker_emits_processed_frames_with_rising_sequence_numbers(qtbot):
    source = _ListSource(5)
    worker = CameraWorker(lambda: source, processor=lambda f: int(f.rgb[0, 0, 0]), max_fps=500)
    got: list[tuple[int, int]] = []
    worker.frame_ready.connect(lambda seq, rgb, result: got.append((seq, result)))
    with qtbot.waitSignal(worker.source_ended, timeout=5000):
        worker.start()
    assert worker.wait(2000)
    qtbot.waitUntil(lambda: len(got) == 5, timeout=2000)
    assert [s for s, _ in got] == [1, 2, 3, 4, 5]
    assert [r for _, r in got] == [0, 1, 2, 3, 4]
    assert source.opened and source.closed


def test_stop_ends_an_endless_camera_loop_quickly_and_closes_the_device(qtbot):
    camera = _EndlessCamera()
    worker = CameraWorker(lambda: camera, max_fps=50)
    with qtbot.waitSignal(worker.frame_ready, timeout=3000):
        worker.start()
    assert worker.stop(timeout_ms=2000)
    assert worker.isFinished() and camera.closed


def test_a_missing_camera_is_reported_with_its_message(qtbot):
    def no_camera():
        raise CameraError("camera 0 could not be opened; no cameras found")

    worker = CameraWorker(no_camera)
    with qtbot.waitSignal(worker.source_failed, timeout=3000) as blocker:
        worker.start()
    assert worker.wait(2000)
    assert "could not be opened" in blocker.args[0]


def test_a_slow_processor_on_a_video_file_drops_frames_instead_of_lagging(qtbot):
    import time

    source = _ListSource(40, fps=100.0)  # 0.4 s of video
    worker = CameraWorker(lambda: source, processor=lambda f: time.sleep(0.05), max_fps=1000)
    seen: list[int] = []
    worker.frame_ready.connect(lambda seq, rgb, result: seen.append(int(rgb[0, 0, 0])))
    started = time.monotonic()
    with qtbot.waitSignal(worker.source_ended, timeout=5000):
        worker.start()
    worker.wait(2000)
    assert time.monotonic() - started < 1.0  # real time, not 40 x 50 ms
    assert 3 <= len(seen) < 20
    assert seen == sorted(seen)


@pytest.mark.parametrize("fps", [20.0])
def test_the_loop_is_capped_at_max_fps(qtbot, fps):
    import time

    worker = CameraWorker(lambda: _EndlessCamera(), max_fps=fps)
    count = []
    worker.frame_ready.connect(lambda *a: count.append(1))
    worker.start()
    qtbot.wait(500)
    worker.stop()
    assert len(count) <= fps * 0.5 + 3


def test_a_worker_that_does_not_stop_in_time_is_not_deleted_while_it_runs(qtbot):
    import threading

    from attendance_app.gui.camera_controller import CameraController

    entered, release = threading.Event(), threading.Event()

    def stuck(frame):  # a processor caught in a long call
        entered.set()
        release.wait(10)

    controller = CameraController(lambda spec: _ListSource(3), max_fps=500, stop_timeout_ms=50)
    controller.set_processor(stuck)
    controller.start("slow")
    assert entered.wait(5)
    worker = controller._worker
    assert controller.stop() is False
    assert worker in controller._stuck and worker.isRunning()  # still alive: not deleted
    release.set()
    qtbot.waitUntil(lambda: worker not in controller._stuck, timeout=5000)


def test_results_queued_by_a_replaced_worker_still_arrive(qtbot):
    from attendance_app.gui.camera_controller import CameraController

    controller = CameraController(lambda spec: _ListSource(3), max_fps=500)
    late: list[object] = []
    drawn: list[object] = []
    controller.late_result.connect(late.append)
    controller.frame.connect(lambda rgb, result: drawn.append(result))
    old = CameraWorker(lambda: _ListSource(1), processor=lambda f: "sighting")
    controller._worker = None  # `old` has been replaced: what it queued is stale
    old.frame_ready.connect(controller._on_frame)
    with qtbot.waitSignal(old.finished, timeout=5000):
        old.start()
    qtbot.waitUntil(lambda: bool(late), timeout=2000)
    assert late == ["sighting"] and drawn == []
