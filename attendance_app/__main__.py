"""`python -m attendance_app` runs the same entry point as the `attendance-app` command."""

from attendance_app.cli import main

raise SystemExit(main())
