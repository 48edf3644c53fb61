"""LivenessState and LivenessConfig: the per-track verdict and the thresholds behind it."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

LivenessStatus = Literal["unknown", "live", "suspect"]


@dataclass(frozen=True)
class LivenessState:
    """Verdict for one track. `status`: *unknown* (not enough usable evidence yet: `reason`
    says why), *live* (the face did something a flat picture cannot), *suspect* (watched long
    enough, or screen/print cues seen, and nothing live). `observed_s`: seconds of usable
    observation; `evidence`: counts per cue (blinks, rotation, nonrigid, screen)."""

    status: LivenessStatus = "unknown"
    reason: str = "not observed yet"
    observed_s: float = 0.0
    evidence: dict[str, int] = field(default_factory=dict)

    @property
    def is_live(self) -> bool:
        return self.status == "live"


@dataclass(frozen=True)
class LivenessConfig:
    """Thresholds (chosen on generated validation attacks + the first part of real clips, see
    README "Liveness"). Residuals are RMS landmark errors divided by the inter-ocular distance.

    min_face_px: shorter box side below which eyelid landmarks are not trusted (unknown).
    min_luma / min_contrast: mean / std of the face's grey levels (0-255) below which it is too
    dark or flat to judge. edge_margin: fraction of the frame side a box must keep from edges.
    pair_gap_s: how far back the reference sample of a motion pair is (seconds).
    planar_residual: homography residual above which motion is not that of a flat picture.
    rigid_ratio: 3-D-affine residual / homography residual below which that motion is a rigid
    3-D rotation. nonrigid_residual: residual of the best of both models above which the face
    itself changed shape. max_residual: above it a pair is a tracker jump, not evidence.
    motion_pairs_live: planar-violating pairs needed for *live* (a blink counts as this many).
    blink_drop / blink_recover: eye openness (EAR normalised by face aspect) below / above these
    fractions of its recent median make a blink. suspect_after_s: usable observation time
    after which a track that never showed life is *suspect*. screen_samples_suspect: samples
    with screen/print cues that make a track *suspect* sooner (and double motion_pairs_live);
    a sample has them when `bezel_sides` sides of a border frame the face or the face's
    spectral peak ratio exceeds `spectral_peak`. motion_points: the mesh points the motion
    residuals use: "all" 468, or "pinned" (points on visible texture only: eye corners and lids,
    brows, nose, lips; the inferred face outline left out). disjoint_pairs: a motion pair
    counts only if it shares no sample with the last one that counted. pixel_rule: how the
    pixel-motion cue (tracked texture of the face patch, pixel_planarity) takes part: "off"
    (landmarks alone), "and" (a pair counts only if the texture's residual also exceeds
    `pixel_residual`, a fraction of the box side, at the `pixel_quantile` of the tracked
    corners), "alone" (the texture residual decides instead of the landmark residuals)."""

    min_face_px: float = 40.0
    min_luma: float = 35.0
    min_contrast: float = 12.0
    edge_margin: float = 0.01
    pair_gap_s: float = 0.3
    # 0.035 with the pixel cue "and" (stop 21): chosen on the 56 validation attacks of two
    # trace runs (0 of 112 replays live; landmarks alone at 0.040 let 1 through in one run).
    planar_residual: float = 0.035
    rigid_ratio: float = 0.7
    nonrigid_residual: float = 0.035
    max_residual: float = 0.5
    motion_pairs_live: int = 2
    blink_drop: float = 0.6
    blink_recover: float = 0.85
    suspect_after_s: float = 4.0
    screen_samples_suspect: int = 4
    bezel_sides: int = 2
    spectral_peak: float = 30.0
    motion_points: Literal["all", "pinned"] = "all"
    disjoint_pairs: bool = True
    pixel_rule: Literal["off", "and", "alone"] = "and"
    pixel_residual: float = 0.016  # middle of the 0.012/0.014-0.020 plateau of both runs
    pixel_quantile: float = 0.75

    def __post_init__(self) -> None:
        if self.motion_pairs_live < 1 or self.pair_gap_s <= 0 or self.suspect_after_s <= 0:
            raise ValueError("motion_pairs_live, pair_gap_s and suspect_after_s must be positive")
        if not 0 < self.blink_drop < self.blink_recover <= 1.0:
            raise ValueError("need 0 < blink_drop < blink_recover <= 1")
        if self.motion_points not in ("all", "pinned"):
            raise ValueError(f"motion_points must be 'all' or 'pinned', not {self.motion_points!r}")
        if self.pixel_rule not in ("off", "and", "alone"):
            raise ValueError(f"pixel_rule must be 'off', 'and' or 'alone', not {self.pixel_rule!r}")
        if not 0 < self.pixel_quantile <= 1:
            raise ValueError("pixel_quantile must be in (0, 1]")
