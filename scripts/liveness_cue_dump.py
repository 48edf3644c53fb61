"""Print the raw liveness cue values per recorded track (to understand a setting's misses).

    attendance-app benchmark liveness --attack VIDEO... --save-traces /tmp/t.json.gz
    python scripts/liveness_cue_dump.py /tmp/t.json.gz [--video SUBSTRING]

One line per track: median face size, usable samples, quantiles of the homography residual
("planar") on all 468 mesh points and on the texture-pinned points only, the median rigid-3-D /
planar ratio, blinks, samples with a border, spectral peaks, and the default setting's verdict.
"""

from __future__ import annotations

import argparse
import dataclasses
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from attendance_app.services.benchmarks.liveness_traces import load_tracks  # noqa: E402
from attendance_app.vision.liveness.liveness_judge import TrackJudge  # noqa: E402
from attendance_app.vision.liveness.liveness_state import LivenessConfig  # noqa: E402


def _q(values: list[float]) -> str:
    if not values:
        return "-"
    return "/".join(f"{np.quantile(values, q):.3f}" for q in (0.5, 0.9, 1.0))


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("traces", nargs="+", type=Path)
    ap.add_argument("--video", default="", help="only videos whose name contains this")
    args = ap.parse_args()
    default = LivenessConfig()
    pinned = dataclasses.replace(default, motion_points="pinned")
    for path in args.traces:
        for t in load_tracks(path):
            if args.video not in t.video:
                continue
            residuals: dict[str, list[float]] = {"all": [], "pinned": [], "ratio": []}
            judges = {"all": TrackJudge(default), "pinned": TrackJudge(pinned)}
            live_at: dict[str, float | None] = {"all": None, "pinned": None}
            for s in t.samples:
                for name, judge in judges.items():
                    state = judge.judge(s)
                    if judge.last_motion is not None:
                        residuals[name].append(judge.last_motion.planar)
                        if name == "all":
                            residuals["ratio"].append(judge.last_motion.rigid
                                                      / max(judge.last_motion.planar, 1e-9))
                    if state.is_live and live_at[name] is None:
                        live_at[name] = s.time_s - t.first_s
            usable = [s for s in t.samples if s.reason is None]
            size = np.median([s.size for s in t.samples]) if t.samples else 0
            ratio = f"{np.median(residuals['ratio']):.2f}" if residuals["ratio"] else "-"
            print(f"{t.video[:34]:34s} tr{t.track_id:3d} {t.first_s:5.1f}-{t.last_s:5.1f}s "
                  f"size {size:4.0f} n {len(usable):3d}/{len(t.samples):3d} "
                  f"planar all {_q(residuals['all'])} pinned {_q(residuals['pinned'])} "
                  f"ratio {ratio} blinks {judges['all'].blink.blinks} "
                  f"border {sum(s.sides >= default.bezel_sides for s in usable)} "
                  f"peak max {max([s.peak for s in usable] or [0]):.0f} "
                  f"live@ all {live_at['all']} pinned {live_at['pinned']} "
                  f"-> {judges['all'].state.status}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
