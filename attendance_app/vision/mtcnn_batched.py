"""facenet-pytorch's three-stage MTCNN with the R-/O-net crops cut and resized in one batch.

facenet-pytorch's `detect_face` cuts each of the ~200 candidate boxes out of the frame and
resizes it with `F.interpolate(mode='area')` one box at a time, in a Python loop, for its second
(24x24) and third (48x48) stages. Area interpolation is torch's adaptive average pooling: output
cell i of a range of n pixels averages pixels floor(i*n/S) .. ceil((i+1)*n/S) - 1, each with the
same weight, computed as `float32 sum / kh / kw`. `area_resize_boxes` computes the same cells
for all boxes at once from one summed-area table of the uint8 frame: the cell sums are integers,
exact in the table and exact again as float32 (below 2**24), and the two divisions are done in
float32 in torch's order. The crops are therefore bit-identical to facenet-pytorch's, and so are
the boxes, probabilities and landmarks (tests/integration/test_mtcnn_batched.py compares them on
real frames). The P-net pyramid levels come from the same table (the same cells again).

Everything else (P-net per pyramid level, NMS, box regression, padding) is facenet-pytorch's
own code, called in the same order on the same tensors, with its networks and weights.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import torch
from facenet_pytorch.models.utils.detect_face import (  # the same functions detect_face calls
    batched_nms,
    batched_nms_numpy,
    bbreg,
    fixed_batch_process,
    generateBoundingBox,
    imresample,
    pad,
    rerec,
)


# The three channels of a pixel packed into one uint64, 21 bits each: one gather per corner
# instead of three. The table wraps around modulo 2**64, but a difference of four corners is a
# cell's packed sum, and each channel's cell sum stays below 2**21 while the cell holds at most
# MAX_CELL_AREA pixels, so the packed sum is exact and unpacks field by field.
_BITS = np.uint64(21)
_MASK = np.uint64((1 << 21) - 1)
MAX_CELL_AREA = ((1 << 21) - 1) // 255


def packed_summed_area_table(rgb: np.ndarray) -> np.ndarray:
    """(H + 1, W + 1) uint64 integral image of an (H, W, 3) uint8 frame, channels packed
    21 bits apart (row and column 0 are 0; sums wrap modulo 2**64, see above)."""
    p = rgb.astype(np.uint64)
    packed = p[..., 0] | (p[..., 1] << _BITS) | (p[..., 2] << (_BITS * np.uint64(2)))
    sat = np.zeros((rgb.shape[0] + 1, rgb.shape[1] + 1), np.uint64)
    np.cumsum(packed, axis=0, out=sat[1:, 1:])
    np.cumsum(sat[1:, 1:], axis=1, out=sat[1:, 1:])
    return sat


def _cell_edges(start: np.ndarray, end: np.ndarray, size: int) -> tuple[np.ndarray, np.ndarray]:
    """Adaptive-pooling bin edges (N, size) of N ranges [start, end): torch's
    floor(i * n / size) and ceil((i + 1) * n / size), offset by start."""
    n = (end - start).astype(np.int64)[:, None]
    i = np.arange(size, dtype=np.int64)[None, :]
    return start[:, None] + i * n // size, start[:, None] + ((i + 1) * n + size - 1) // size


def area_resize_boxes(sat: np.ndarray, y0: np.ndarray, y1: np.ndarray, x0: np.ndarray,
                      x1: np.ndarray, out_h: int, out_w: int | None = None
                      ) -> torch.Tensor | None:
    """Crops frame[y0:y1, x0:x1] of every box (non-empty, inside the frame) resized to
    (out_h, out_w) (default square) exactly as F.interpolate(mode='area') does:
    (N, 3, out_h, out_w) float32, channels-last in memory like facenet-pytorch's resized
    frames and crops. None when a cell holds more than MAX_CELL_AREA pixels (downscaling by
    more than ~90x per side: the packed sums would overflow)."""
    out_w = out_h if out_w is None else out_w
    ys, ye = _cell_edges(y0.astype(np.int64), y1.astype(np.int64), out_h)
    xs, xe = _cell_edges(x0.astype(np.int64), x1.astype(np.int64), out_w)
    kh, kw = ye - ys, xe - xs
    if int(kh.max()) * int(kw.max()) > MAX_CELL_AREA:
        return None
    flat = sat.reshape(-1)
    w1 = sat.shape[1]
    row_s, row_e = (ys * w1)[:, :, None], (ye * w1)[:, :, None]
    col_s, col_e = xs[:, None, :], xe[:, None, :]
    sums = (flat[row_e + col_e] - flat[row_s + col_e]) - (flat[row_e + col_s]
                                                            - flat[row_s + col_s])
    cells = np.empty(sums.shape + (3,), np.float32)
    cells[..., 0] = sums & _MASK
    cells[..., 1] = (sums >> _BITS) & _MASK
    cells[..., 2] = sums >> (_BITS * np.uint64(2))
    # torch divides a cell's float32 sum by kh, then by kw: the same two roundings here.
    np.divide(cells, kh.astype(np.float32)[:, :, None, None], out=cells)
    np.divide(cells, kw.astype(np.float32)[:, None, :, None], out=cells)
    out = torch.from_numpy(cells)
    # (N, H, W, C) memory viewed as (N, C, H, W): the channels-last layout the nets were fed.
    return out.permute(0, 3, 1, 2)


def resize_frame(sat: np.ndarray, imgs: torch.Tensor, size: tuple[int, int]) -> torch.Tensor:
    """The whole frame area-resized to `size` (one P-net pyramid level), bit-identical to
    facenet-pytorch's imresample(imgs, size); its own call where the cells would be too big."""
    h, w = sat.shape[0] - 1, sat.shape[1] - 1
    zero, hh, ww = np.zeros(1, np.int64), np.array([h]), np.array([w])
    out = area_resize_boxes(sat, zero, hh, zero, ww, size[0], size[1])
    return imresample(imgs, size) if out is None else out


def _crop_edges(y: np.ndarray, ey: np.ndarray, x: np.ndarray, ex: np.ndarray
                ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray] | None:
    """facenet-pytorch's crop imgs[y - 1:ey, x - 1:ex] as [start, end) ranges, or None when a
    box is empty (facenet-pytorch then skips it and misaligns its boxes: the caller falls back
    to its code so that the result stays whatever it gives)."""
    if not (np.all(ey > y - 1) and np.all(ex > x - 1)):
        return None
    return y - 1, ey, x - 1, ex


def detect_face_batched(img: np.ndarray, minsize: int, pnet: torch.nn.Module,
                        rnet: torch.nn.Module, onet: torch.nn.Module,
                        threshold: list[float], factor: float
                        ) -> tuple[np.ndarray, np.ndarray] | None:
    """facenet-pytorch's detect_face for one (H, W, 3) uint8 RGB frame on the CPU:
    (N, 5) float32 boxes (x1, y1, x2, y2, probability) and (N, 5, 2) landmarks, in its order.
    None when a candidate crop is empty (the caller then runs facenet-pytorch's own code)."""
    imgs = torch.as_tensor(img.copy()).unsqueeze(0)
    model_dtype = next(pnet.parameters()).dtype
    imgs = imgs.permute(0, 3, 1, 2).type(model_dtype)
    h, w = imgs.shape[2:4]
    m = 12.0 / minsize
    minl = min(h, w) * m
    scale_i = m
    scales = []
    while minl >= 12:
        scales.append(scale_i)
        scale_i = scale_i * factor
        minl = minl * factor

    # First stage: P-net over the pyramid, exactly as facenet-pytorch runs it (the levels are
    # resized from the summed-area table: the same values, without 9 passes over the frame).
    boxes_l, inds_l, picks_l = [], [], []
    offset = 0
    sat = packed_summed_area_table(img)
    for scale in scales:
        im_data = resize_frame(sat, imgs, (int(h * scale + 1), int(w * scale + 1)))
        im_data = (im_data - 127.5) * 0.0078125
        reg, probs = pnet(im_data)
        boxes_scale, image_inds_scale = generateBoundingBox(reg, probs[:, 1], scale, threshold[0])
        boxes_l.append(boxes_scale)
        inds_l.append(image_inds_scale)
        pick = batched_nms(boxes_scale[:, :4], boxes_scale[:, 4], image_inds_scale, 0.5)
        picks_l.append(pick + offset)
        offset += boxes_scale.shape[0]
    boxes = torch.cat(boxes_l, dim=0)
    image_inds = torch.cat(inds_l, dim=0)
    scale_picks = torch.cat(picks_l, dim=0)
    boxes, image_inds = boxes[scale_picks], image_inds[scale_picks]
    pick = batched_nms(boxes[:, :4], boxes[:, 4], image_inds, 0.7)
    boxes, image_inds = boxes[pick], image_inds[pick]
    regw = boxes[:, 2] - boxes[:, 0]
    regh = boxes[:, 3] - boxes[:, 1]
    qq1 = boxes[:, 0] + boxes[:, 5] * regw
    qq2 = boxes[:, 1] + boxes[:, 6] * regh
    qq3 = boxes[:, 2] + boxes[:, 7] * regw
    qq4 = boxes[:, 3] + boxes[:, 8] * regh
    boxes = torch.stack([qq1, qq2, qq3, qq4, boxes[:, 4]]).permute(1, 0)
    boxes = rerec(boxes)

    # Second stage: R-net on all 24x24 crops, cut in one batch.
    if len(boxes) > 0:
        edges = _crop_edges(*pad(boxes, w, h))
        if edges is None:
            return None
        crops = area_resize_boxes(sat, *edges, 24)
        if crops is None:
            return None
        im_data = (crops - 127.5) * 0.0078125
        out = fixed_batch_process(im_data, rnet)  # batches of 512, as facenet-pytorch
        out0 = out[0].permute(1, 0)
        out1 = out[1].permute(1, 0)
        score = out1[1, :]
        ipass = score > threshold[1]
        boxes = torch.cat((boxes[ipass, :4], score[ipass].unsqueeze(1)), dim=1)
        image_inds = image_inds[ipass]
        mv = out0[:, ipass].permute(1, 0)
        pick = batched_nms(boxes[:, :4], boxes[:, 4], image_inds, 0.7)
        boxes, image_inds, mv = boxes[pick], image_inds[pick], mv[pick]
        boxes = bbreg(boxes, mv)
        boxes = rerec(boxes)

    # Third stage: O-net on all 48x48 crops, cut in one batch.
    points = torch.zeros(0, 5, 2)
    if len(boxes) > 0:
        edges = _crop_edges(*pad(boxes, w, h))
        if edges is None:
            return None
        crops = area_resize_boxes(sat, *edges, 48)
        if crops is None:
            return None
        im_data = (crops - 127.5) * 0.0078125
        out = fixed_batch_process(im_data, onet)
        out0 = out[0].permute(1, 0)
        out1 = out[1].permute(1, 0)
        out2 = out[2].permute(1, 0)
        score = out2[1, :]
        points = out1
        ipass = score > threshold[2]
        points = points[:, ipass]
        boxes = torch.cat((boxes[ipass, :4], score[ipass].unsqueeze(1)), dim=1)
        image_inds = image_inds[ipass]
        mv = out0[:, ipass].permute(1, 0)
        w_i = boxes[:, 2] - boxes[:, 0] + 1
        h_i = boxes[:, 3] - boxes[:, 1] + 1
        points_x = w_i.repeat(5, 1) * points[:5, :] + boxes[:, 0].repeat(5, 1) - 1
        points_y = h_i.repeat(5, 1) * points[5:10, :] + boxes[:, 1].repeat(5, 1) - 1
        points = torch.stack((points_x, points_y)).permute(2, 1, 0)
        boxes = bbreg(boxes, mv)
        pick = batched_nms_numpy(boxes[:, :4], boxes[:, 4], image_inds, 0.7, "Min")
        boxes, image_inds, points = boxes[pick], image_inds[pick], points[pick]
    result: tuple[Any, Any] = (boxes.numpy().copy(), points.numpy().copy())
    return result
