"""Choose the liveness thresholds on validation traces (never on the test videos).

    attendance-app benchmark liveness --real CLIP... --save-traces /tmp/real.json.gz
    attendance-app benchmark liveness --attack VAL_DIR... --save-traces /tmp/val.json.gz
    python scripts/liveness_choose_thresholds.py --real /tmp/real.json.gz --real-first-half \\
        --attack /tmp/val.json.gz [--window 2] [--top 40]

The trace files hold every sample's measurement (FaceMesh points, screen/print cues, the
gate's reason), so each candidate setting is judged by replaying the monitor's own judge
(vision/liveness/liveness_judge.replay) without MTCNN or FaceMesh. For each setting the script
prints APCER (attack videos with any track ever live), BPCER (assessed real tracks not live
within --window seconds of their first sighting; assessed = live, or watched --min-watch
seconds: on the short validation halves few tracks are watched a whole window) and the
median / 90th-percentile time to live, sorted by APCER, then BPCER, then median time to live.
The grid: landmark residual threshold x motion pairs needed x disjoint pairs, each with the
pixel-motion cue off, required to agree ("and", at each `--pixel-residuals` threshold and
`--pixel-quantiles` quantile) or deciding alone ("alone"). Landmark points: all 468 (the
texture-pinned subset was rejected on validation, see README). `--real-first-half` keeps only the samples in the first half of each real video (its last
sample's time / 2), the validation part of the real clips. `--config key=value` evaluates one
setting only (e.g. to check the default).
"""

from __future__ import annotations

import argparse
import dataclasses
import itertools
import sys
from collections.abc import Sequence
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from attendance_app.services.benchmarks.liveness_traces import (  # noqa: E402
    RecordedTrack,
    load_tracks,
)
from attendance_app.vision.liveness import liveness_judge  # noqa: E402
from attendance_app.vision.liveness.liveness_state import LivenessConfig  # noqa: E402

# Residuals of a pair depend on the two samples and the point set only, not on the thresholds:
# memoise them so a grid of settings costs one homography fit per pair and point set.
_memo: dict[tuple[int, int, str], tuple[float, float]] = {}
_pair_motion = liveness_judge.pair_motion


def _memo_pair_motion(ref: np.ndarray, cur: np.ndarray,
                      config: LivenessConfig) -> tuple[float, float]:
    key = (id(ref), id(cur), config.motion_points)
    if key not in _memo:
        _memo[key] = _pair_motion(ref, cur, config)
    return _memo[key]


liveness_judge.pair_motion = _memo_pair_motion  # type: ignore[assignment]
_pixel_memo: dict[tuple[int, int, float], float | None] = {}
_pair_pixel_motion = liveness_judge.pair_pixel_motion


def _memo_pair_pixel_motion(ref: liveness_judge.Measurement, cur: liveness_judge.Measurement,
                            config: LivenessConfig) -> float | None:
    key = (id(ref), id(cur), config.pixel_quantile)
    if key not in _pixel_memo:
        _pixel_memo[key] = _pair_pixel_motion(ref, cur, config)
    return _pixel_memo[key]


liveness_judge.pair_pixel_motion = _memo_pair_pixel_motion  # type: ignore[assignment]


def first_live_s(track: RecordedTrack, config: LivenessConfig) -> float | None:
    for sample, state in zip(track.samples, liveness_judge.replay(track.samples, config)):
        if state.is_live:
            return sample.time_s
    return None


def evaluate(real: Sequence[RecordedTrack], attacks: Sequence[RecordedTrack],
             config: LivenessConfig, window: float,
             min_watch: float) -> dict[str, float | int | None | list[str]]:
    hit_videos = sorted({t.video for t in attacks if first_live_s(t, config) is not None})
    videos = {t.video for t in attacks}
    ttl: list[float] = []
    late = assessed = 0
    for t in real:
        live = first_live_s(t, config)
        usable = [s.time_s for s in t.samples if s.reason is None]
        watched = len(usable) > 1 and usable[-1] - usable[0] >= min_watch
        if live is None and not watched:
            continue
        assessed += 1
        if live is None or live - t.first_s > window:
            late += 1
        if live is not None:
            ttl.append(live - t.first_s)
    return {"apcer": len(hit_videos) / max(len(videos), 1), "attack_videos": len(videos),
            "hits": [v.split(":", 1)[1] for v in hit_videos],
            "bpcer": late / max(assessed, 1), "assessed": assessed,
            "ttl_median": float(np.median(ttl)) if ttl else None,
            "ttl_p90": float(np.quantile(ttl, 0.9)) if ttl else None}


def first_half(tracks: list[RecordedTrack]) -> list[RecordedTrack]:
    ends: dict[str, float] = {}
    for t in tracks:
        if t.samples:
            ends[t.video] = max(ends.get(t.video, 0.0), t.samples[-1].time_s)
    kept = []
    for t in tracks:
        half = ends.get(t.video, 0.0) / 2
        samples = [s for s in t.samples if s.time_s < half]
        if samples:
            kept.append(dataclasses.replace(t, samples=samples, last_s=samples[-1].time_s))
    return kept


def _parse_config(items: list[str]) -> LivenessConfig:
    fields = {f.name: f for f in dataclasses.fields(LivenessConfig)}
    values: dict[str, object] = {}
    for item in items:
        key, _, raw = item.partition("=")
        if key not in fields:
            raise SystemExit(f"unknown setting {key!r}")
        default = getattr(LivenessConfig(), key)
        values[key] = (raw.lower() in ("1", "true", "yes") if isinstance(default, bool)
                       else type(default)(raw))
    return LivenessConfig(**values)  # type: ignore[arg-type]


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--real", nargs="+", type=Path, required=True)
    ap.add_argument("--attack", nargs="+", type=Path, required=True)
    ap.add_argument("--real-first-half", action="store_true")
    ap.add_argument("--window", type=float, default=2.0)
    ap.add_argument("--min-watch", type=float, default=1.0)
    ap.add_argument("--top", type=int, default=40)
    ap.add_argument("--config", nargs="*", default=None, metavar="KEY=VALUE")
    ap.add_argument("--pixel-residuals", nargs="+", type=float,
                    default=[0.006, 0.008, 0.01, 0.012, 0.014, 0.016, 0.02])
    ap.add_argument("--pixel-quantiles", nargs="+", type=float, default=[0.75])
    args = ap.parse_args()
    real = [t for f in args.real for t in load_tracks(f) if not t.is_attack]
    if args.real_first_half:
        real = first_half(real)
    attacks = [t for f in args.attack for t in load_tracks(f) if t.is_attack]
    print(f"# {len(real)} real tracks, {len({t.video for t in attacks})} attack videos "
          f"({len(attacks)} tracks); BPCER window {args.window} s, assessed when watched "
          f"{args.min_watch} s or live")
    if args.config is not None:
        print(evaluate(real, attacks, _parse_config(args.config), args.window, args.min_watch))
        return 0
    rows = []
    # rigid_ratio mostly just splits the evidence into rotation / nonrigid (both count): kept 0.7.
    pixel_settings = [("off", 0.0, 0.75)] + [
        (rule, residual, q) for rule in ("and", "alone")
        for residual in args.pixel_residuals for q in args.pixel_quantiles]
    for (rule, pixel, quantile), disjoint, pairs, threshold in itertools.product(
            pixel_settings, [False, True], [1, 2, 3],
            [0.015, 0.02, 0.025, 0.03, 0.035, 0.04, 0.045, 0.05, 0.06]):
        if rule == "alone" and threshold != 0.04:
            continue  # the landmark threshold plays no part then
        cfg = dataclasses.replace(LivenessConfig(), disjoint_pairs=disjoint,
                                  motion_pairs_live=pairs, planar_residual=threshold,
                                  nonrigid_residual=threshold, pixel_rule=rule,
                                  pixel_residual=pixel, pixel_quantile=quantile)
        rows.append((evaluate(real, attacks, cfg, args.window, args.min_watch), cfg))
    rows.sort(key=lambda r: (r[0]["apcer"], r[0]["bpcer"], r[0]["ttl_median"] or 99))
    print("pixel_rule residual quantile | disjoint pairs threshold | APCER  BPCER  assessed  "
          "ttl_med  ttl_p90  hits")
    for res, cfg in rows[:args.top]:
        print(f"{cfg.pixel_rule:5s} {cfg.pixel_residual:.3f} {cfg.pixel_quantile:.2f} | "
              f"{cfg.disjoint_pairs!s:5s} {cfg.motion_pairs_live} "
              f"{cfg.planar_residual:.3f} | {res['apcer']:.3f}  "
              f"{res['bpcer']:.3f}  {res['assessed']:3d}  {res['ttl_median'] or float('nan'):.2f}  "
              f"{res['ttl_p90'] or float('nan'):.2f}  {' '.join(res['hits'])[:80]}")  # type: ignore[arg-type]
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
