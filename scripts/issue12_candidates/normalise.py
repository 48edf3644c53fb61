"""Score normalisation across the gallery (issue-12 candidate): plain cosine vs Z-, T- and S-norm,
from the dumps of dump.py, for SFace ("sf") and FaceNet ("fn"). Analysis only, not an app change.

  normalise.py make-cohort OUTDIR [N]       symlink folder of the one-shot cohort (see COHORT below)
  normalise.py oneshot 5c|att COHORT.npz    one-shot rank-1 and DIR@FAR1% (the score_oneshot protocol)
  normalise.py lfw                          LFW 10-fold accuracy and VAL@FAR=1e-3 (evaluate_folds)

Normalisation of a cosine s between a gallery template g and a probe p, against a cohort C of
impostor faces (people not in the set being scored):
  Z-norm  (s - mean_c cos(g, c)) / std_c cos(g, c)        the template's impostor statistics
  T-norm  (s - mean_c cos(p, c)) / std_c cos(p, c)        the probe's impostor statistics
  S-norm  (Z + T) / 2
(T-norm shifts and scales all of one probe's scores alike, so it cannot change a closed-set
rank-1; it can change open-set figures, where one threshold serves every probe.)
For an LFW pair (left, right) the left image plays the template, the right the probe; S-norm is
symmetric.

COHORT
- five_celebrity / AT&T: a fixed sample of LFW, N = 400 images (default), the first image
  (`*_0001.jpg`) of 400 identities drawn with numpy default_rng(12) from the 1,467 LFW identities
  that appear in no pairs.txt pair (so the same cohort could never meet an LFW test pair); none
  of them is a five_celebrity person (Ben Affleck, Elton John, Jerry Seinfeld, Madonna are
  pair identities; Mindy Kaling is not in LFW) and AT&T's 40 subjects are not LFW people.
  `make-cohort` links them into OUTDIR/cNN/ (10 per folder: dump.py's oneshot mode wants folders
  of >= 2 images; the folder labels mean nothing), embedded once by
  `dump.py oneshot OUTDIR ...` exactly like the sets themselves (MTCNN largest face, FaceNet
  margin 44, SFace aligned from the frame). Cohort images without a detected face are dropped.
- LFW: the 10 folds of pairs.txt are identity-disjoint (checked below), so the cohort of a pair is
  the dumped pair images (faces detected) of the OTHER folds, never the pair's own fold.
  "lfw evaluate_folds": every pair normalised against the other 9 folds, then the app's
  evaluate_folds (threshold on 9 training folds). There the training pairs' cohort contains the
  test fold's images (as unlabelled impostors), so also reported, "lfw strict": for test fold k
  a training pair of fold j is normalised against the 8 folds other than j and k, a test pair
  against the 9 folds other than k: nothing of fold k enters the training scores, and the
  threshold step is evaluate_folds' own (best_accuracy_threshold / threshold_at_far).
"""
import sys, os, json, time
sys.path.insert(0, os.path.dirname(__file__))
from pathlib import Path
import numpy as np
from score import load, oneshot
from attendance_app.services.benchmarks.oneshot_benchmark import (EmbeddedDataset, split_strangers,
                                                                  threshold_at_far)

LFW = Path("../shared/datasets/lfw")
KINDS = ["plain", "z", "t", "s"]
MODELS = {"sf": 0.38, "fn": 0.55}  # embedding key -> the app's threshold (plain figures only)


def unit32(v):
    v = np.asarray(v, np.float32)
    return (v / np.maximum(np.linalg.norm(v, axis=-1, keepdims=True), 1e-12)).astype(np.float32)


def stats(v, cohort):
    """Mean and std of each row of v against the cohort (cosines)."""
    c = unit32(v) @ unit32(cohort).T
    return c.mean(1).astype(np.float64), c.std(1).astype(np.float64)


def normalise(kind, raw, g_stats, p_stats):
    """raw (P, G) probe x template cosines; g_stats / p_stats: (mean, std) per template / probe."""
    raw = raw.astype(np.float64)
    if kind == "plain":
        return raw
    z = (raw - g_stats[0][None, :]) / g_stats[1][None, :]
    t = (raw - p_stats[0][:, None]) / p_stats[1][:, None]
    return {"z": z, "t": t, "s": 0.5 * (z + t)}[kind]


def make_cohort(outdir, n=400):
    from attendance_app.services.benchmarks.lfw_benchmark import read_pairs
    in_pairs = {x.parent.name for p in read_pairs(LFW) for x in (p.left, p.right)}
    free = sorted(d.name for d in LFW.iterdir() if d.is_dir() and d.name not in in_pairs)
    pick = sorted(np.random.default_rng(12).choice(len(free), n, replace=False))
    outdir = Path(outdir)
    for k, i in enumerate(pick):
        img = LFW / free[i] / f"{free[i]}_0001.jpg"
        folder = outdir / f"c{k // 10:02d}"
        folder.mkdir(parents=True, exist_ok=True)
        (folder / img.name).symlink_to(img.resolve())
    print(json.dumps({"cohort_images": n, "from_identities_in_no_pair": len(free), "dir": str(outdir)}))


def oneshot_scores(d, key, kind, cohort, probe_mask):
    """The score_oneshot protocol (enrol the first image of each identity, closed-set rank-1,
    every 5th identity held out as strangers, split by split_strangers, threshold at FAR 1% on the
    calibration half) on a normalised score matrix instead of Gallery cosines."""
    v, labels, valid = d[key], d["labels"], d["valid"]
    mu, sd = stats(v, cohort)
    raw = unit32(v) @ unit32(v).T  # (image, image) cosines, float32 like Gallery
    S = normalise(kind, raw, (mu, sd), (mu, sd))  # S[p, g]: probe p against template image g
    groups = []
    for lab in np.unique(labels):
        idx = np.where(labels == lab)[0]
        probes = [p for p in idx[1:] if probe_mask is None or probe_mask[p]]
        groups.append((idx[0],) + tuple(probes))
    ids = [i for i, g in enumerate(groups) if len(g) > 1]
    strangers = [i for r, i in enumerate(ids) if (r + 1) % 5 == 0]

    def best_of(members, p):
        if p is None or not valid[p]:
            return None, -np.inf
        t = [(groups[i][0], i) for i in members if valid[groups[i][0]]]
        s = S[p, [g for g, _ in t]]
        j = int(np.argmax(s))
        return t[j][1], float(s[j])

    hits = [best_of(ids, p)[0] == i for i in ids for p in groups[i][1:]]
    known_ids = [i for i in ids if i not in strangers]
    data = EmbeddedDataset(tuple(map(str, range(len(groups)))),
                           tuple(tuple(p if valid[p] else None for p in g) for g in groups), 0, 0.0)
    cal, test, _ = split_strangers(data, strangers)  # the app's split, on image indices
    known = [(best_of(known_ids, p), i) for i in known_ids for p in groups[i][1:]]
    thr = threshold_at_far(np.array([best_of(known_ids, p)[1] for p in cal]), 0.01)
    test_scores = np.array([best_of(known_ids, p)[1] for p in test])
    return {"rank1": float(np.mean(hits)), "n_probes": len(hits),
            "dir_at_far_1pct": float(np.mean([pid == i and s >= thr for (pid, s), i in known])),
            "threshold": thr, "far_test": float(np.mean(test_scores >= thr))}


def run_oneshot(name, cohort_path):
    d, c = load(f"/tmp/h12/{name}.npz"), load(cohort_path)
    print("cohort", cohort_path, "images", len(c["valid"]), "with a face", int(c["valid"].sum()))
    paths = d["paths"]
    if name == "5c":
        is_val = np.array(["/val_" in p for p in paths])
        split = {"validation (train minus 1.jpg)": ~is_val, "reported val_*": is_val}
    else:
        split = {"all": None}
    out = {}
    for key, thr in MODELS.items():
        cohort = c[key][c["valid"]]
        for sname, mask in split.items():
            ref = oneshot(d, d[key], None, mask, thr=thr)  # the app's score_oneshot, plain cosine
            for kind in KINDS:
                r = oneshot_scores(d, key, kind, cohort, mask)
                if kind == "plain":  # the re-implementation must reproduce score_oneshot exactly
                    for f in ["rank1", "n_probes", "dir_at_far_1pct", "far_test"]:
                        assert abs(r[f] - ref[f]) < 1e-9, (key, sname, f, r[f], ref[f])
                    assert abs(r["threshold"] - ref["threshold"]) < 1e-6, (r["threshold"], ref["threshold"])
                out[(key, sname, kind)] = r
                print(f"{name} {key} {sname:32s} {kind:5s} rank1 {r['rank1']:.4f} ({r['n_probes']}) "
                      f"DIR@FAR1% {r['dir_at_far_1pct']:.3f} thr {r['threshold']:.3f} far_test {r['far_test']:.3f}",
                      flush=True)
    print("plain figures reproduce score_oneshot: yes")


def run_lfw():
    from attendance_app.services.benchmarks.lfw_benchmark import (read_pairs, evaluate_folds,
                                                                  best_accuracy_threshold)
    d = load("/tmp/h12/lfw.npz")
    idx = {p: i for i, p in enumerate(d["paths"])}
    pairs = read_pairs(LFW)
    L = np.array([idx[str(p.left)] for p in pairs]); R = np.array([idx[str(p.right)] for p in pairs])
    same = np.array([p.same for p in pairs]); folds = np.array([p.fold for p in pairs])
    img_fold = np.full(len(d["paths"]), -1)
    for p in pairs:
        for x in (p.left, p.right):
            assert img_fold[idx[str(x)]] in (-1, p.fold), "an image in two folds"
            img_fold[idx[str(x)]] = p.fold
    name_folds = {}
    for p, f in zip(d["paths"], img_fold):
        name_folds.setdefault(Path(p).parent.name, set()).add(int(f))
    assert all(len(s) == 1 for s in name_folds.values()), "folds are not identity-disjoint"
    nf = int(folds.max()) + 1
    valid = d["valid"]
    print("images", len(valid), "no_face", int((~valid).sum()), "folds identity-disjoint: yes")
    for key in MODELS:
        V = unit32(d[key])
        # per image and fold: sum, sum of squares and count of cosines against that fold's faces
        s1 = np.zeros((len(V), nf)); s2 = np.zeros((len(V), nf)); cnt = np.zeros(nf)
        for f in range(nf):
            C = V[(img_fold == f) & valid]
            cc = (V @ C.T).astype(np.float64)
            s1[:, f], s2[:, f], cnt[f] = cc.sum(1), (cc ** 2).sum(1), len(C)
        raw = np.sum(d[key][L] * d[key][R], 1).astype(np.float64)  # as lfwscore.py (the dumps are unit vectors)

        def pair_scores(kind, excluded):
            """excluded: (n_pairs, nf) bool, the folds left out of each pair's cohort."""
            if kind == "plain":
                return raw
            keep = ~excluded
            n = keep @ cnt

            def ms(i):
                m = np.sum(s1[i] * keep, 1) / n
                return m, np.sqrt(np.maximum(np.sum(s2[i] * keep, 1) / n - m ** 2, 0))
            (ml, sl), (mr, sr) = ms(L), ms(R)
            z, t = (raw - ml) / sl, (raw - mr) / sr
            return {"z": z, "t": t, "s": 0.5 * (z + t)}[kind]

        own = np.eye(nf, dtype=bool)[folds]  # each pair's own fold
        for kind in KINDS:
            r = evaluate_folds(pair_scores(kind, own), same, folds)
            accs, vals = [], []
            for k in range(nf):  # strict: fold k never in a training pair's cohort
                s = pair_scores(kind, own | (np.arange(nf)[None, :] == k))
                train, test = folds != k, folds == k
                t = best_accuracy_threshold(s[train], same[train])
                accs.append(float(np.mean((s[test] >= t) == same[test])))
                vals.append(float(np.mean(s[test & same] >= threshold_at_far(s[train & ~same], 1e-3))))
            if kind == "plain":  # the strict loop is evaluate_folds' own loop: plain must agree
                assert abs(np.mean(accs) - r["accuracy"]) < 1e-12 and abs(np.mean(vals) - r["val_at_far_1e-3"]) < 1e-12
            print(f"lfw {key} {kind:5s} evaluate_folds acc {r['accuracy']:.4f} ± {r['std']:.4f} "
                  f"VAL@1e-3 {r['val_at_far_1e-3']:.3f} | strict acc {np.mean(accs):.4f} ± {np.std(accs):.4f} "
                  f"VAL@1e-3 {np.mean(vals):.3f}", flush=True)


if __name__ == "__main__":
    t0 = time.perf_counter()
    if sys.argv[1] == "make-cohort":
        make_cohort(sys.argv[2], int(sys.argv[3]) if len(sys.argv) > 3 else 400)
    elif sys.argv[1] == "oneshot":
        run_oneshot(sys.argv[2], sys.argv[3])
    elif sys.argv[1] == "lfw":
        run_lfw()
    print(f"{time.perf_counter() - t0:.1f} s")
