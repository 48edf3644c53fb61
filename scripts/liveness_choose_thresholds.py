"""Choose the liveness thresholds on validation traces (never on the test videos).

    python scripts/liveness_choose_thresholds.py --real REAL.json... --attack ATTACK.json...

The traces come from scripts/liveness_cue_dump.py --save (every usable sample's homography
residual, rigid-3-D residual, blink, bezel sides and spectral peak). For each candidate setting
the state machine of LivenessMonitor is replayed on the traces, and the script prints APCER
(attack videos with any live track), BPCER (assessed real tracks not live within the window)
and the median time to live, so a setting can be picked with APCER first, then BPCER.
"""

from __future__ import annotations

import argparse
import itertools
import json
from pathlib import Path

import numpy as np


def first_live(trace: list[dict], planar_t: float, ratio: float, pairs: int, bezel: int,
               peak: float, screen_n: int, max_res: float = 0.5) -> float | None:
    """Replay the verdict rule: time of the first live verdict, or None."""
    rot = nonrigid = screen = blinks = 0
    for s in trace:
        p, r = s["planar"], s["rigid"]
        if p >= 0:
            if planar_t < p < max_res and r < ratio * p:
                rot += 1
            elif planar_t < min(p, r) and p < max_res:
                nonrigid += 1
        blinks += int(s["openness_blink"])
        screen += int(s["sides"] >= bezel or s["peak"] > peak)
        need = pairs * (2 if screen >= screen_n else 1)
        if blinks * pairs + rot + nonrigid >= need:
            return s["t"]
    return None


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--real", nargs="+", type=Path, required=True)
    ap.add_argument("--attack", nargs="+", type=Path, required=True)
    ap.add_argument("--window", type=float, default=4.0)
    args = ap.parse_args()
    real = [t for f in args.real for tracks in json.loads(f.read_text()).values() for t in tracks]
    attacks = [tracks for f in args.attack for tracks in json.loads(f.read_text()).values()]
    # A real track is assessed once watched for the window (usable samples) or live.
    grid = itertools.product([0.02, 0.025, 0.03, 0.035, 0.04], [0.6, 0.7, 0.8], [1, 2, 3],
                             [2, 3, 5], [30.0, 1e9], [4])
    print("planar ratio pairs bezel peak | APCER  BPCER  assessed  ttl_median")
    for planar_t, ratio, pairs, bezel, peak, screen_n in grid:
        hits = sum(any(first_live(t["trace"], planar_t, ratio, pairs, bezel, peak, screen_n)
                       is not None for t in video) for video in attacks)
        ttl, late, assessed = [], 0, 0
        for t in real:
            live = first_live(t["trace"], planar_t, ratio, pairs, bezel, peak, screen_n)
            watched = len(t["trace"]) and t["trace"][-1]["t"] - t["trace"][0]["t"] >= args.window
            if live is None and not watched:
                continue
            assessed += 1
            if live is None or live - t["first_s"] > args.window:
                late += 1
            else:
                ttl.append(live - t["first_s"])
        print(f"{planar_t:.3f} {ratio:.1f} {pairs} {bezel} {peak:6.0f} | "
              f"{hits / max(len(attacks), 1):.3f}  {late / max(assessed, 1):.3f}  {assessed:3d}  "
              f"{np.median(ttl) if ttl else float('nan'):.2f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
