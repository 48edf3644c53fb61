import sys; sys.path.insert(0, __import__("os").path.dirname(__file__))
from score import *
name = sys.argv[1]
d = load(f"/tmp/h12/{name}.npz")
paths = d["paths"]
split = None
if name == "5c":
    is_val = np.array(["/val_" in p for p in paths])
    split = {"validation(train probes)": ~is_val, "test(val_* probes)": is_val}
else:
    split = {"all": np.ones(len(paths), bool)}
flip = lambda a, b: unit(d[a] + d[b])
V = {
  "sf": (d["sf"], None, 0.38),
  "sf_flip": (flip("sf", "sf_mirror"), None, 0.38),
  "sf_scale0.9": (d["sf_s090"], None, 0.38),
  "sf_scale1.1": (d["sf_s110"], None, 0.38),
  "sf_enrol+mirror": (d["sf"], lambda i: [d["sf"][i], d["sf_mirror"][i]], 0.38),
  "sf_enrol+shifts": (d["sf"], lambda i: [d[k][i] for k in ["sf", "sf_dx+3", "sf_dx-3", "sf_dy+3", "sf_dy-3"]], 0.38),
  "sf_enrol+mirror+shifts": (d["sf"], lambda i: [d[k][i] for k in ["sf", "sf_mirror", "sf_dx+3", "sf_dx-3", "sf_dy+3", "sf_dy-3"]], 0.38),
  "sf_enrol_mean(mirror+shifts)": (d["sf"], lambda i: [unit(sum(d[k][i] for k in ["sf", "sf_mirror", "sf_dx+3", "sf_dx-3", "sf_dy+3", "sf_dy-3"]))], 0.38),
  "fn": (d["fn"], None, 0.55),
  "fn_flip": (flip("fn", "fn_mirror"), None, 0.55),
}
for w in [0.3, 0.4, 0.5, 0.6, 0.7]:
    V[f"fuse_w{w}"] = (fused(d, w), None, None)
out = {}
for vname, (vec, tmpl, thr) in V.items():
    row = {}
    for sname, mask in split.items():
        r = oneshot(d, vec, tmpl, mask, thr=thr if thr else 0.45)
        row[sname] = (round(r["rank1"], 4), r["n_probes"], round(r["dir_at_far_1pct"], 3))
    out[vname] = row
    print(f"{vname:32s}", row)
