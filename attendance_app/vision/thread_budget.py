"""configure_threads: size torch's and OpenCV's thread pools on purpose.

On the 2-core target with other processes busy, torch's intra-op pool collapses: one
InceptionResnetV1 forward took 69 ms with 1 thread and 1,345 ms with 2 (DESIGN.md section 7),
because every parallel region waits for its slowest thread and one of them shares a core with
someone else. The live view runs two network threads at once (the detector thread and the
loop), and OpenCV sizes its own pool to all cores as well, so each gets one intra-op thread: a
thread then never waits for a sibling that the OS has parked behind another process.
"""

from __future__ import annotations

import cv2
import torch


def configure_threads(torch_threads: int = 1, opencv_threads: int = 1) -> dict[str, int]:
    """Set torch's intra-op threads (for this and later threads), its inter-op threads (only
    possible before torch first used them; silently kept otherwise) and OpenCV's pool.
    Returns the sizes now in force: {'torch': n, 'torch_interop': n, 'opencv': n}.
    ValueError for a count below 1."""
    if torch_threads < 1 or opencv_threads < 1:
        raise ValueError("thread counts must be >= 1")
    torch.set_num_threads(torch_threads)
    try:
        torch.set_num_interop_threads(1)  # the app never runs torch ops in parallel itself
    except RuntimeError:
        pass  # already started (set once per process); the intra-op count is what matters
    cv2.setNumThreads(opencv_threads)
    return {"torch": torch.get_num_threads(), "torch_interop": torch.get_num_interop_threads(),
            "opencv": cv2.getNumThreads()}
