"""BusyLoad: N busy-loop processes for the length of a `with` block (a machine doing other work).

Each is a separate Python process spinning on `while True: pass`, so it competes for a core the
way a browser tab or a compile does; they are killed (and reaped) when the block ends, even on
an error. `os.getloadavg()` is sampled next to every figure measured under it.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time


class BusyLoad:
    """`with BusyLoad(n): ...` runs the block with n busy processes (0: none). `settle_s`
    gives them time to be scheduled before the block starts."""

    def __init__(self, processes: int, settle_s: float = 1.0) -> None:
        if processes < 0:
            raise ValueError("the number of busy processes must be >= 0")
        self.processes = processes
        self._settle_s = settle_s
        self._children: list[subprocess.Popen] = []

    def __enter__(self) -> "BusyLoad":
        for _ in range(self.processes):
            self._children.append(subprocess.Popen(
                [sys.executable, "-c", "while True: pass"],
                stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
        if self._children:
            time.sleep(self._settle_s)
        return self

    def __exit__(self, *exc: object) -> None:
        for child in self._children:
            child.kill()
        for child in self._children:
            child.wait(timeout=10)
        self._children.clear()

    @property
    def alive(self) -> int:
        return sum(child.poll() is None for child in self._children)


def load_average() -> float:
    """The 1-minute load average (0.0 where the platform has none)."""
    try:
        return round(os.getloadavg()[0], 2)
    except OSError:
        return 0.0
