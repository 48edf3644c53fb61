import sys; sys.path.insert(0, __import__("os").path.dirname(__file__))
from score import *
d = load("/tmp/h12/5c.npz")
paths, labels, valid = d["paths"], d["labels"], d["valid"]
for key in ["sf", "fn"]:
    v = d[key]
    enrol = {lab: np.where(labels == lab)[0][0] for lab in np.unique(labels)}
    G = np.stack([v[enrol[l]] for l in sorted(enrol)])
    print("==", key)
    for i in range(len(paths)):
        if i in enrol.values(): continue
        if not valid[i]: print("NOFACE", paths[i]); continue
        s = G @ v[i]
        if np.argmax(s) != labels[i]:
            print(paths[i].split("five_celebrity/")[1], "-> ", paths[enrol[np.argmax(s)]].split("five_celebrity/")[1], "scores", np.round(s, 3), "true", labels[i])
