"""Head rotation consistent with a 3-D face: the motion a rigid 3-D body explains and a plane
does not.

The reference sample's own mesh (x, y, z) serves as the 3-D model; the current 2-D points are
fitted by an affine camera (weak perspective: 2x4 matrix, 8 parameters, as many as a
homography). A head turning in depth fits the affine camera far better than any homography; a
flat picture fits the homography at least as well.
"""

from __future__ import annotations

import numpy as np


def rigid_3d_residual(ref_xyz: np.ndarray, cur_xy: np.ndarray, scale: float) -> float:
    """RMS error of the best affine camera mapping `ref_xyz` (N, 3) onto `cur_xy` (N, 2),
    divided by `scale` (inter-ocular distance, pixels)."""
    if scale <= 0:
        return float("inf")
    centred = ref_xyz.astype(np.float64) - ref_xyz.mean(axis=0)
    design = np.column_stack([centred, np.ones(len(centred))])
    target = cur_xy.astype(np.float64)
    coeffs, *_ = np.linalg.lstsq(design, target, rcond=None)
    err = design @ coeffs - target
    return float(np.sqrt(np.mean(np.sum(err ** 2, axis=1))) / scale)


def is_3d_rotation(planar: float, rigid: float, threshold: float, ratio: float,
                   max_residual: float) -> bool:
    """The motion breaks planarity (`planar` > `threshold`) and a rigid 3-D turn explains it
    (`rigid` < `ratio` x `planar`); residuals above `max_residual` are tracker jumps."""
    return threshold < planar < max_residual and rigid < ratio * planar
