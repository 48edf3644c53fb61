#!/usr/bin/env python
"""Write a swap video (an enrolled person's photo replaced in place by a stranger's; hard cuts
and cross-dissolves) from the shared LFW copy, with its per-frame truth file, and print the
`benchmark live` command that measures it and the scorer command.

    PYTHONPATH=$PWD python scripts/make_swap_video.py --out /tmp/swap --pairs 5 --seed 1
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from attendance_app.services.benchmarks.swap_video import make_swap_video


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lfw", type=Path, default=Path("../shared/datasets/lfw"))
    parser.add_argument("--out", type=Path, required=True, help="folder for the video and truth")
    parser.add_argument("--pairs", type=int, default=5)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--hold-s", type=float, default=2.0, help="seconds each photo is shown")
    parser.add_argument("--dissolve-s", type=float, default=0.5)
    parser.add_argument("--show-enrolment-photo", action="store_true",
                        help="show the enrolment photo itself instead of a second photo")
    args = parser.parse_args()
    made = make_swap_video(args.lfw, args.out, pairs=args.pairs, seed=args.seed,
                           hold_s=args.hold_s, dissolve_s=args.dissolve_s,
                           show_enrolment_photo=args.show_enrolment_photo)
    enrol = " ".join(f"--enroll {n}={p}" for n, p in made.enrolments.items())
    print(f"python -m attendance_app benchmark live --source {made.video} {enrol} "
          f"--labels-out {args.out / 'labels.jsonl'} --json")
    print(f"python -m attendance_app benchmark score-labels --labels {args.out / 'labels.jsonl'} "
          f"--truth {made.truth}")
    print(json.dumps({"video": str(made.video), "truth": str(made.truth), "frames": made.frames,
                      "enrolled": sorted(made.enrolments), "strangers": made.strangers}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
