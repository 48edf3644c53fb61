import sys, json
import numpy as np
from attendance_app.services.benchmarks.oneshot_benchmark import EmbeddedDataset, score_oneshot

def load(path):
    return dict(np.load(path, allow_pickle=False))

def unit(v):
    return v / np.linalg.norm(v, axis=-1, keepdims=True)

def dataset(d, vec, templates=None, probe_mask=None):
    """EmbeddedDataset: per identity, [enrol templates..., probes...]; templates(d, idx) -> list of
    vectors for the enrolment image idx; probe_mask selects probes."""
    labels, valid = d["labels"], d["valid"]
    names, groups = [], []
    k_max = 0
    for lab in np.unique(labels):
        idx = np.where(labels == lab)[0]
        enrol, probes = idx[0], idx[1:]
        if probe_mask is not None:
            probes = [p for p in probes if probe_mask[p]]
        t = templates(enrol) if templates else [vec[enrol]]
        if not valid[enrol]:
            t = [None] * len(t)
        k_max = len(t)
        groups.append(tuple(t) + tuple(vec[p] if valid[p] else None for p in probes))
        names.append(str(lab))
    return EmbeddedDataset(tuple(names), tuple(groups), 0, 0.0), k_max

def oneshot(d, vec, templates=None, probe_mask=None, thr=0.38, margin=0.05):
    data, k = dataset(d, vec, templates, probe_mask)
    r = score_oneshot(data, enroll_per_id=k, app_threshold=thr, app_margin=margin)
    return r

def fused(d, w, sf="sf", fn="fn"):
    return np.hstack([np.sqrt(w) * d[sf], np.sqrt(1 - w) * d[fn]])
