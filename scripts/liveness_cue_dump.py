"""Dump the raw liveness cue values per track (for choosing thresholds on validation videos).

    python scripts/liveness_cue_dump.py VIDEO... [--max-seconds S] [--start-seconds S]

Prints one line per track: size, samples, quantiles of the homography residual ("planar"), of
the rigid-3-D / planar ratio, blinks, bezel sides and spectral peaks, and the final state.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from attendance_app.services.benchmarks.liveness_benchmark import track_liveness  # noqa: E402
from attendance_app.vision.face_detector import MtcnnFaceDetector  # noqa: E402
from attendance_app.vision.face_mesh import FaceMeshLandmarker  # noqa: E402
from attendance_app.vision.liveness.liveness_monitor import LivenessMonitor  # noqa: E402


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("videos", nargs="+", type=Path)
    ap.add_argument("--max-seconds", type=float, default=None)
    ap.add_argument("--start-seconds", type=float, default=0.0)
    ap.add_argument("--save", type=Path, default=None, help="write every track's trace as JSON")
    args = ap.parse_args()
    saved: dict[str, list] = {}
    detector, landmarker = MtcnnFaceDetector(), FaceMeshLandmarker()
    for video in args.videos:
        run = track_liveness(video, detector, lambda: LivenessMonitor(landmarker, trace=True),
                             max_seconds=args.max_seconds, start_seconds=args.start_seconds)
        for t in run.tracks:
            tr = [s for s in t.trace if s["planar"] >= 0]
            planar = np.array([s["planar"] for s in tr]) if tr else np.zeros(1)
            ratio = np.array([s["rigid"] / max(s["planar"], 1e-9) for s in tr]) if tr else np.zeros(1)
            size = np.median([s["size"] for s in t.trace]) if t.trace else 0
            print(f"{video.name[:28]:28s} tr{t.track_id:3d} {t.first_s:5.1f}-{t.last_s:5.1f}s "
                  f"size {size:4.0f} n {len(t.trace):3d} planar q50/90/max "
                  f"{np.quantile(planar, .5):.3f}/{np.quantile(planar, .9):.3f}/{planar.max():.3f} "
                  f"ratio q50 {np.quantile(ratio, .5):.2f} "
                  f"blinks {sum(s['openness_blink'] for s in t.trace):.0f} "
                  f"sides>=2 {sum(s['sides'] >= 2 for s in t.trace)} "
                  f"peak q50/max {np.quantile([s['peak'] for s in t.trace] or [0], .5):.1f}/"
                  f"{max([s['peak'] for s in t.trace] or [0]):.1f} "
                  f"-> {t.state.status} live@{t.time_to_live_s} {t.state.evidence} {t.state.reason}",
                  flush=True)
        saved[str(video)] = [{"track": t.track_id, "first_s": t.first_s, "last_s": t.last_s,
                              "reasons": dict(t.reasons), "trace": t.trace} for t in run.tracks]
        if args.save:
            args.save.write_text(json.dumps(saved), encoding="utf-8")
        print(f"# {video.name}: {run.frames} frames, liveness {run.liveness_ms / max(run.frames, 1):.2f} "
              f"ms/frame, {run.liveness_ms / max(run.liveness_samples, 1):.2f} ms/sample", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
