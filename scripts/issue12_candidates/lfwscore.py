import sys; sys.path.insert(0, __import__("os").path.dirname(__file__))
from score import *
from pathlib import Path
from attendance_app.services.benchmarks.lfw_benchmark import read_pairs, evaluate_folds
d = load("/tmp/h12/lfw.npz")
idx = {p: i for i, p in enumerate(d["paths"])}
pairs = read_pairs("../shared/datasets/lfw")
L = np.array([idx[str(p.left)] for p in pairs]); R = np.array([idx[str(p.right)] for p in pairs])
same = np.array([p.same for p in pairs]); folds = np.array([p.fold for p in pairs])
print("no_face", int((~d["valid"]).sum()))
V = {"sf": d["sf"], "sf_flip": unit(d["sf"] + d["sf_mirror"]), "fn": d["fn"]}
for w in [0.5, 0.6, 0.7, 0.8, 0.9]:
    V[f"fuse_w{w}"] = fused(d, w)
for k, v in V.items():
    s = np.sum(v[L] * v[R], 1)
    r = evaluate_folds(s, same, folds)
    print(f"{k:12s} acc {r['accuracy']:.4f} ± {r['std']:.4f} VAL@1e-3 {r['val_at_far_1e-3']:.3f}")
