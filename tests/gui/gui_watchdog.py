"""Watchdog: how long the GUI thread's event loop went without running a 10 ms timer, for the
tests that assert the window never freezes (issue 13), and why (CPU work, CPU wait, GIL)."""

from __future__ import annotations

import os
import time

from PySide6.QtCore import QTimer

BLOCK_LIMIT_S = 0.100
# On a machine with more runnable threads than cores the OS alone can keep the GUI thread off
# the CPU for 100+ ms (measured: 80-140 ms of run-queue wait at load 13-16 on 2 cores, every other
# gap <= 50 ms); there only a freeze a user would call a hang is asserted.
OVERLOADED_LIMIT_S = 1.0


def _thread_schedstat() -> tuple[float, float]:
    """(seconds on a CPU, seconds runnable but waiting for one) of the calling thread (Linux);
    (0, 0) elsewhere. What is left of a gap after both is time spent asleep: the event loop's
    own wait, or waiting for the GIL held by another thread."""
    try:
        with open("/proc/thread-self/schedstat") as f:
            run, wait, _ = f.read().split()
        return int(run) / 1e9, int(wait) / 1e9
    except OSError:
        return 0.0, 0.0


class Watchdog:
    """A 10 ms timer on the GUI thread. Between two ticks it measures the wall-clock gap (how
    long the event loop did not get round to the timer) and splits the longest one into the
    GUI thread's own CPU time (work done on it: saving, decoding, building widgets), its wait
    for a CPU (other processes) and the rest (asleep: the timer interval, or waiting for the
    GIL: a one-time weight conversion in a worker once caused 0.3-1.7 s of that)."""

    def __init__(self) -> None:
        self.timer = QTimer()
        self.timer.setInterval(10)
        self.timer.timeout.connect(self._tick)
        self.longest_wall = self.longest_cpu = 0.0
        self.longest_split = (0.0, 0.0)
        self._last = (0.0, 0.0, 0.0)

    def start(self) -> None:
        self._last = (time.perf_counter(), *_thread_schedstat())
        self.timer.start()

    def _tick(self) -> None:
        now = (time.perf_counter(), *_thread_schedstat())
        wall, cpu, runq = (a - b for a, b in zip(now, self._last))
        self.longest_cpu = max(self.longest_cpu, cpu)
        if wall > self.longest_wall:
            self.longest_wall, self.longest_split = wall, (cpu, runq)
        self._last = now

    def stop(self) -> tuple[float, float]:
        self.timer.stop()
        return self.longest_wall, self.longest_cpu

    def describe(self) -> str:
        cpu, runq = self.longest_split
        return (f"longest gap {self.longest_wall * 1000:.0f} ms (GUI-thread CPU {cpu * 1000:.0f}, "
                f"waiting for a CPU {runq * 1000:.0f}, asleep or waiting for the GIL "
                f"{(self.longest_wall - cpu - runq) * 1000:.0f}), longest GUI-thread CPU "
                f"{self.longest_cpu * 1000:.0f} ms, load {os.getloadavg()[0]:.1f}")


def _overloaded() -> bool:
    return os.getloadavg()[0] > (os.cpu_count() or 1)
