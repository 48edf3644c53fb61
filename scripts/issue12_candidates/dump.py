"""Dump per-image embeddings of several variants for offline scoring (issue-12 helper analysis).
usage: dump.py oneshot DATASET DETCACHE OUT.npz | dump.py lfw DATASET DETCACHE OUT.npz"""
import sys, time, json
from pathlib import Path
import numpy as np, cv2
from attendance_app.services.dataset_folder import list_identities
from attendance_app.services.benchmarks.detection_cache import CachedDetector
from attendance_app.services.benchmarks.face_source import choose_face, centre_crop
from attendance_app.vision.face_detector import MtcnnFaceDetector, resize_as_crop
from attendance_app.vision.face_alignment import align_face, similarity_transform, SFACE_TEMPLATE
from attendance_app.vision.face_embedder import FaceEmbedder
from attendance_app.vision.sface_embedder import SFaceEmbedder
from attendance_app.vision.image_io import load_image_rgb
from attendance_app.vision.weights import weights_cache, sface_cache

mode, ds, cache, out = sys.argv[1], Path(sys.argv[2]), Path(sys.argv[3]), sys.argv[4]
models = Path.home() / ".local/share/attendance_app/models"
w = weights_cache.ensure_default_weights(models)
fn = FaceEmbedder(weights_cache.build_model(weights_cache.load_state_dict(w.path, w.sha256)), "facenet")
sw = sface_cache.ensure_sface_weights(models)
sf = SFaceEmbedder(sface_cache.load_sface_net(sw.path, sw.sha256), "sface")
margin = 32 if mode == "lfw" else 44
det = CachedDetector(MtcnnFaceDetector(margin=margin), cache)
if mode == "lfw":
    from attendance_app.services.benchmarks.lfw_benchmark import read_pairs
    pairs = read_pairs(ds)
    paths = sorted({p.left for p in pairs} | {p.right for p in pairs})
    labels = [0] * len(paths)
    selection = "central"
else:
    idents = list_identities(ds, min_images=2)
    paths = [p for i in idents for p in i.images]
    labels = [k for k, i in enumerate(idents) for _ in i.images]
    selection = "largest"

def shifted(rgb, lm, dx, dy, scale=1.0):
    return align_face(rgb, np.asarray(lm) + 0, face_scale=scale) if dx == dy == 0 else \
        cv2.warpAffine(align_face(rgb, lm, face_scale=scale), np.float64([[1, 0, dx], [0, 1, dy]]), (112, 112), borderValue=0)

variants = {}
def add(name, vec):
    variants.setdefault(name, []).append(vec)
SF_VARIANTS = [("sf", 0, 0, 1.0), ("sf_s090", 0, 0, 0.9), ("sf_s110", 0, 0, 1.1),
               ("sf_dx+3", 3, 0, 1.0), ("sf_dx-3", -3, 0, 1.0), ("sf_dy+3", 0, 3, 1.0), ("sf_dy-3", 0, -3, 1.0)]
if mode == "lfw":
    SF_VARIANTS = SF_VARIANTS[:1]
valid, lms, boxes = [], [], []
t0 = time.perf_counter(); tsf = tfn = 0.0
for n, path in enumerate(paths):
    rgb = load_image_rgb(path)
    det.for_path(path)
    face = choose_face(det.detect(rgb), rgb.shape, selection)
    valid.append(face is not None)
    if face is None:
        crop = centre_crop(rgb, margin)
        sf_inputs = {name: resize_as_crop(crop, 112) for name, *_ in SF_VARIANTS}
        fn_in = crop
        lms.append(np.zeros((5, 2))); boxes.append(np.zeros(4))
    else:
        sf_inputs = {name: shifted(rgb, face.landmarks, dx, dy, s) for name, dx, dy, s in SF_VARIANTS}
        fn_in = det.crop(rgb, face)
        lms.append(np.asarray(face.landmarks, float)); b = face.box; boxes.append(np.array([b.x1, b.y1, b.x2, b.y2]))
    names = list(sf_inputs)
    batch = np.stack([sf_inputs[k] for k in names])
    t = time.perf_counter()
    e = sf.embed(batch); ef = sf.embed(np.ascontiguousarray(batch[:1, :, ::-1]))
    tsf += time.perf_counter() - t
    for k, v in zip(names, e): add(k, v)
    add("sf_mirror", ef[0])
    t = time.perf_counter()
    g = fn.embed(np.stack([fn_in] if mode == "lfw" else [fn_in, np.ascontiguousarray(fn_in[:, ::-1])]))
    tfn += time.perf_counter() - t
    add("fn", g[0])
    if mode != "lfw": add("fn_mirror", g[1])
    if n % 200 == 0:
        print(n, len(paths), round(time.perf_counter() - t0), flush=True)
        det.save()
det.save()
np.savez(out, paths=np.array([str(p) for p in paths]), labels=np.array(labels), valid=np.array(valid),
         landmarks=np.stack(lms), boxes=np.stack(boxes), **{k: np.stack(v) for k, v in variants.items()})
print(json.dumps({"images": len(paths), "s": time.perf_counter() - t0, "sface_ms_per_image_incl_variants": 1000 * tsf / len(paths),
                  "facenet_ms_per_image_2fwd": 1000 * tfn / len(paths)}))
