"""How a probability floor on the face choice moves LFW's choices (issue-12 helper analysis).

On LFW's multi-face images, with the 'largest' rule, choose among the faces with p >= FLOOR
(all when none is) and count the choices that move, onto a face centred in the image (within
25 px of the centre: LFW's labelled person) and away from one. This is how the benchmarks'
CONFIDENT_FACE (face_source.py) was chosen. Reads a detection cache written by
`benchmark lfw --detections FILE`.
usage: face_choice_lfw.py DETCACHE [FLOOR ...]
"""
import json
import sys

from PIL import Image

from attendance_app.services.benchmarks.detection_cache import _decode

cache = json.load(open(sys.argv[1]))
entries = cache[next(iter(cache))]
floors = [float(f) for f in sys.argv[2:]] or [0.95, 0.98, 0.99, 0.995, 0.998, 0.999]


def centred(det, shape) -> bool:
    bx, by = det.box.center
    return abs(bx - shape[1] / 2) < 25 and abs(by - shape[0] / 2) < 25


multi = {path: [_decode(r) for r in rows] for path, rows in entries.items() if len(rows) > 1}
shapes = {path: Image.open(path).size[::-1] for path in multi}
print("multi-face images:", len(multi))
for floor in floors:
    moved = onto = away = 0
    for path, dets in multi.items():
        largest = dets[0]  # the cache keeps MTCNN's largest-first order
        chosen = next((d for d in dets if d.probability >= floor), largest)
        if chosen is not largest:
            moved += 1
            onto += centred(chosen, shapes[path]) and not centred(largest, shapes[path])
            away += centred(largest, shapes[path]) and not centred(chosen, shapes[path])
    print(f"p >= {floor}: {moved} choices move, {onto} onto a centred face, {away} away from one")
