"""Landmark-refinement variants on five_celebrity (issue-12 helper analysis, README "Photo path").

SFace one-shot rank-1 (enrol 1.jpg, probe the rest) on all 113 probes, the validation probes
(train images) and the reported `val_*` probes, with the benchmarks' face choice, for:
  mtcnn     MTCNN's first landmarks
  refined   the shipped second look (MtcnnFaceDetector.refine, full image pyramid)
  min80     the same second look with the pyramid starting at 80 px (rejected: faster, worse)
  onet      only MTCNN's last stage (O-net) re-run on a smooth 48 px patch of the final box
and how far the shipped second look moves the landmarks on Elton John's photos.
With --lfw (DATASET = the LFW folder with pairs.txt): the LFW 10-fold protocol instead, with the
benchmark's central face choice (mtcnn, refined, onet; no-face images get the centre crop).
usage: refine_variants.py DATASET DETCACHE [--lfw]
"""
import sys
from pathlib import Path

import cv2
import numpy as np
import torch

from attendance_app.services.benchmarks.detection_cache import CachedDetector
from attendance_app.services.benchmarks.face_source import choose_face
from attendance_app.services.dataset_folder import list_identities
from attendance_app.vision.face_detector import MtcnnFaceDetector
from attendance_app.vision.image_io import load_image_rgb
from attendance_app.vision.landmark_refinement import needs_refinement, refine_landmarks
from attendance_app.vision.sface_embedder import SFaceEmbedder
from attendance_app.vision.weights import sface_cache

ds, cache, lfw = Path(sys.argv[1]), sys.argv[2], "--lfw" in sys.argv[3:]
weights = sface_cache.ensure_sface_weights(Path.home() / ".local/share/attendance_app/models")
sface = SFaceEmbedder(sface_cache.load_sface_net(weights.path, weights.sha256), "sface")
mtcnn = MtcnnFaceDetector(margin=32 if lfw else 44)
mtcnn80 = MtcnnFaceDetector(min_face_size=80, margin=44)
cached = CachedDetector(mtcnn, cache)


def onet_landmarks(rgb, det):
    """O-net alone on the squared final box, resized smoothly to 48x48 (cubic up, area down)."""
    b = det.box
    side = max(b.width, b.height)
    x0, y0 = b.center[0] - side / 2, b.center[1] - side / 2
    s = 48.0 / side
    warp = np.array([[s, 0, -s * x0], [0, s, -s * y0]], np.float64)
    patch = cv2.warpAffine(np.ascontiguousarray(rgb), warp, (48, 48),
                           flags=cv2.INTER_CUBIC if side < 48 else cv2.INTER_AREA, borderValue=0)
    t = (torch.from_numpy(patch).permute(2, 0, 1)[None].float() - 127.5) * 0.0078125
    with torch.inference_mode():
        _, pts, _ = mtcnn._mtcnn.onet(t)
    pts = pts[0].numpy()
    return tuple(zip((x0 + side * pts[:5] - 1).tolist(), (y0 + side * pts[5:] - 1).tolist()))


def variants(rgb, det):
    small = needs_refinement(det)
    return {"mtcnn": det.landmarks,
            "refined": mtcnn.refine(rgb, det).landmarks,
            "min80": refine_landmarks(lambda v: mtcnn80.detect(v, with_quality=False), rgb,
                                      det).landmarks,
            "onet": onet_landmarks(rgb, det) if small else det.landmarks}


if lfw:
    from attendance_app.services.benchmarks.face_source import centre_crop
    from attendance_app.services.benchmarks.lfw_benchmark import evaluate_folds, read_pairs
    from attendance_app.vision.face_detector import resize_as_crop

    pairs = read_pairs(ds)
    paths = sorted({p.left for p in pairs} | {p.right for p in pairs})
    kinds = ["mtcnn", "refined", "onet"]
    inputs = {n: [] for n in kinds}
    for i, path in enumerate(paths):
        rgb = load_image_rgb(path)
        cached.for_path(path)
        det = choose_face(cached.detect(rgb), rgb.shape, "central")
        if det is None:
            for n in kinds:
                inputs[n].append(resize_as_crop(centre_crop(rgb, 32), 112))
            continue
        small = needs_refinement(det)
        marks = {"mtcnn": det.landmarks, "refined": mtcnn.refine(rgb, det).landmarks,
                 "onet": onet_landmarks(rgb, det) if small else det.landmarks}
        for n in kinds:
            inputs[n].append(sface.prepare(rgb, type(det)(det.box, det.probability, marks[n])))
        if i % 1000 == 0:
            print(i, len(paths), flush=True)
    index = {str(p): i for i, p in enumerate(paths)}
    left = np.array([index[str(p.left)] for p in pairs])
    right = np.array([index[str(p.right)] for p in pairs])
    same = np.array([p.same for p in pairs])
    folds = np.array([p.fold for p in pairs])
    for n in kinds:
        e = np.concatenate([sface.embed(np.stack(inputs[n][k:k + 256]))
                            for k in range(0, len(paths), 256)])
        r = evaluate_folds(np.sum(e[left] * e[right], 1), same, folds)
        print(n, f"accuracy {r['accuracy']:.4f} ± {r['std']:.4f}, VAL@FAR=1e-3 "
                 f"{r['val_at_far_1e-3']:.3f}")
    sys.exit(0)

idents = list_identities(ds, min_images=2)
names = ["mtcnn", "refined", "min80", "onet"]
emb = {n: [] for n in names}
for ident in idents:
    rows = {n: [] for n in names}
    for path in ident.images:
        rgb = load_image_rgb(path)
        cached.for_path(path)
        det = choose_face(cached.detect(rgb), rgb.shape, "largest")
        if det is None:
            for n in names:
                rows[n].append(None)
            continue
        marks = variants(rgb, det)
        if ident.name == "elton_john":
            moved = np.linalg.norm(np.subtract(marks["refined"], det.landmarks), axis=1)
            print(f"{path.name}: box {max(det.box.width, det.box.height):.0f} px, refined "
                  f"landmarks moved {moved.min():.1f}-{moved.max():.1f} px")
        for n in names:
            rows[n].append(sface.embed_one(sface.prepare(rgb, type(det)(det.box, det.probability,
                                                                        marks[n]))))
    for n in names:
        emb[n].append(rows[n])
cached.save()

for n in names:
    gallery = np.stack([rows[0] for rows in emb[n]])
    tally = {"all": [0, 0], "validation": [0, 0], "reported": [0, 0]}
    wrong = []
    for k, (ident, rows) in enumerate(zip(idents, emb[n])):
        for path, vec in zip(ident.images[1:], rows[1:]):
            ok = vec is not None and int(np.argmax(gallery @ vec)) == k
            split = "reported" if path.name.startswith("val_") else "validation"
            for key in ("all", split):
                tally[key][0] += ok
                tally[key][1] += 1
            if not ok:
                wrong.append(f"{ident.name}/{path.name}")
    print(n, {k: f"{a}/{b} = {a / b:.4f}" for k, (a, b) in tally.items()}, "wrong:", wrong)
