"""A kiosk process for the sync tests: the app's own services on one data dir, background sync
on (as `attendance-app run` does), a session in which N local people are marked present one
after another (the same SessionRun path as a confirmed sighting), then idle until stdin closes.

python kiosk_process.py DATA_DIR --people N --interval SECONDS
Prints "ready", waits for a line on stdin, then prints "record <uid>" after each commit, then "done".
"""

from __future__ import annotations

import argparse
import logging
import sys
import time

from attendance_app.config import AppPaths, load_settings
from attendance_app.services.app_services import AppServices


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("data_dir")
    parser.add_argument("--people", type=int, default=0)
    parser.add_argument("--interval", type=float, default=0.1)
    parser.add_argument("--group", default=None, help="the people's group and the roster")
    args = parser.parse_args()
    paths = AppPaths.resolve(args.data_dir)
    logging.basicConfig(filename=str(paths.data_dir / "kiosk.log"), level=logging.INFO,
                        format="%(asctime)s %(threadName)s %(message)s")
    services = AppServices.open(paths, load_settings(paths))
    services.sync.start_background()
    prefix = paths.data_dir.name
    people = [services.people_repository.add(f"{prefix}-{i}", group=args.group)
              for i in range(args.people)]
    run = services.attendance.start_session(f"{prefix} session", args.group if people else None)
    print("ready", flush=True)
    sys.stdin.readline()  # "go": the test starts several kiosks together
    for person in people:
        record = run.mark_present(person.id)[-1]  # every record it committed, the manual one last
        uid = services.db.conn.execute("SELECT uid FROM attendance_records WHERE id = ?",
                                       [record.id]).fetchone()[0]
        print(f"record {uid}", flush=True)
        time.sleep(args.interval)
    print("done", flush=True)
    sys.stdin.read()  # until the test closes our stdin
    print(f"status {services.sync.status(services.db).text}", flush=True)
    services.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
