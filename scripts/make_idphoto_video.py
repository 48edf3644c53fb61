#!/usr/bin/env python
"""Write an 'ID photo -> camera' video (one LFW photo enrols each person, another one is shown
for ~2 s with camera-like motion, zoom and exposure changes, plus strangers never enrolled) with
its per-frame truth file, and print the `benchmark live` command that measures it.

    PYTHONPATH=$PWD python scripts/make_idphoto_video.py --out /tmp/idv --split validation --seed 1
    # a two-day simulation: --days 2 --day 1, then --days 2 --day 2 (same people, other photos)
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from attendance_app.services.benchmarks.idphoto_video import SPLITS, make_idphoto_video


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lfw", type=Path, default=Path("../shared/datasets/lfw"))
    parser.add_argument("--out", type=Path, required=True, help="folder for the video and truth")
    parser.add_argument("--split", choices=SPLITS, default="validation",
                        help="identity half (disjoint): choose settings on validation only")
    parser.add_argument("--people", type=int, default=12, help="enrolled people")
    parser.add_argument("--strangers", type=int, default=6, help="strangers per day")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--day", type=int, default=1, help="which day's photos to show")
    parser.add_argument("--days", type=int, default=None, help="days in the plan (default: --day)")
    parser.add_argument("--hold-s", type=float, default=2.0, help="seconds each person is shown")
    parser.add_argument("--gap-s", type=float, default=0.3, help="empty backdrop between people")
    args = parser.parse_args()
    try:
        made = make_idphoto_video(args.lfw, args.out, split=args.split, people=args.people,
                                  strangers=args.strangers, seed=args.seed, day=args.day,
                                  days=args.days, hold_s=args.hold_s, gap_s=args.gap_s)
    except (ValueError, OSError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    enrol = " ".join(f"--enroll {n}={p}" for n, p in made.enrolments.items())
    print(f"python -m attendance_app benchmark live --source {made.video} {enrol} "
          f"--truth {made.truth} --json")
    print(json.dumps({"video": str(made.video), "truth": str(made.truth), "frames": made.frames,
                      "enrolled": sorted(made.enrolments), "strangers": made.strangers}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
