"""Settings (a frozen dataclass persisted as JSON) and AppPaths (where data lives).

The data dir is platformdirs' user data dir unless `--data-dir` or ATTENDANCE_APP_DATA_DIR says
otherwise. It holds the SQLite database, converted model weights, backups and logs, and is
created with mode 0700 because it holds biometric data.
"""

from __future__ import annotations

import json
import os
from dataclasses import asdict, dataclass, fields, replace
from pathlib import Path
from typing import Any

from platformdirs import user_data_dir

APP_NAME = "attendance_app"
DATA_DIR_ENV = "ATTENDANCE_APP_DATA_DIR"
DATASETS_ENV = "ATTENDANCE_APP_DATASETS"


@dataclass(frozen=True)
class Settings:
    """User-tunable behaviour. Thresholds are cosine similarities in [-1, 1]."""

    # Matching: best person score must reach the threshold and beat the runner-up by the margin.
    match_threshold: float = 0.55
    runner_up_margin: float = 0.05
    # Detection and preprocessing (DESIGN.md section 4: margin 44 of the 160 px crop).
    crop_margin: int = 44
    min_face_size: int = 20
    # Enrolment quality gates.
    enroll_min_face_px: int = 60
    enroll_min_sharpness: float = 15.0
    enroll_shots: int = 5
    keep_crops: bool = True
    # Live attendance.
    confirm_frames: int = 3
    confirm_min_similarity: float = 0.55
    # Consecutive non-matching embeddings before a track is called unknown.
    unknown_after_frames: int = 6
    # Embedding schedule: a checking track every 3 frames, an unknown one every 10.
    check_every_frames: int = 3
    reembed_every_frames: int = 10
    # Detection on every 3rd frame (boxes coast by velocity between), frames shrunk so the longer
    # side is at most 640 px: detection is the live loop's bottleneck.
    detect_every_frames: int = 3
    detect_max_side: int = 640
    # Liveness (issue 15): "off", "flag" (record, mark "liveness not shown" for review unless
    # the track showed life) or "require" (no record until the track is live; after
    # liveness_wait_s seconds without it the face goes to the review queue as suspect).
    liveness: str = "flag"
    liveness_wait_s: float = 5.0
    record_not_on_roster: bool = True
    late_after_minutes: int = 10
    camera: str = "0"
    # Retention (days) and backups.
    unknown_snapshot_retention_days: int = 7
    thumbnail_retention_days: int = 30
    backups_keep: int = 7

    def with_changes(self, **changes: Any) -> "Settings":
        return replace(self, **changes)


@dataclass(frozen=True)
class AppPaths:
    """Every file location of one data dir."""

    data_dir: Path

    @property
    def db_path(self) -> Path:
        return self.data_dir / "attendance.db"

    @property
    def models_dir(self) -> Path:
        return self.data_dir / "models"

    @property
    def backups_dir(self) -> Path:
        return self.data_dir / "backups"

    @property
    def logs_dir(self) -> Path:
        return self.data_dir / "logs"

    @property
    def settings_path(self) -> Path:
        return self.data_dir / "settings.json"

    @classmethod
    def resolve(cls, data_dir: str | os.PathLike[str] | None = None) -> "AppPaths":
        """Explicit argument > ATTENDANCE_APP_DATA_DIR > platformdirs user data dir."""
        chosen = data_dir or os.environ.get(DATA_DIR_ENV) or user_data_dir(APP_NAME, appauthor=False)
        return cls(Path(chosen).expanduser().resolve())

    def ensure(self) -> "AppPaths":
        """Create the data dir tree, private to the user (0700)."""
        for d in (self.data_dir, self.models_dir, self.backups_dir, self.logs_dir):
            d.mkdir(parents=True, exist_ok=True)
            os.chmod(d, 0o700)
        return self


def load_settings(paths: AppPaths) -> Settings:
    """Read settings.json; unknown keys are ignored and missing keys take defaults."""
    try:
        raw = json.loads(paths.settings_path.read_text(encoding="utf-8"))
    except (FileNotFoundError, json.JSONDecodeError):
        return Settings()
    known = {f.name for f in fields(Settings)}
    return Settings(**{k: v for k, v in raw.items() if k in known})


def save_settings(paths: AppPaths, settings: Settings) -> None:
    """Write settings.json atomically (temp file then os.replace)."""
    paths.data_dir.mkdir(parents=True, exist_ok=True)
    tmp = paths.settings_path.with_suffix(".json.tmp")
    tmp.write_text(json.dumps(asdict(settings), indent=2), encoding="utf-8")
    os.replace(tmp, paths.settings_path)


def datasets_dir() -> Path:
    """Reference face datasets: ATTENDANCE_APP_DATASETS or ../shared/datasets beside the repo."""
    env = os.environ.get(DATASETS_ENV)
    if env:
        return Path(env)
    return Path(__file__).resolve().parent.parent.parent / "shared" / "datasets"
