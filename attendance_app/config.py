"""Settings (a frozen dataclass persisted as JSON) and AppPaths (where data lives).

Settings are validated (`validate_settings`: types and ranges, errors name the field) when saved
and when loaded. A settings.json that cannot be read, or holds invalid values, is never silently
replaced by defaults: the file is kept as `settings.json.damaged-<time>`, the fields that could
be read are kept, the others take their defaults, and a warning saying so is recorded for the
CLI's stderr and the window's start-up notice (`take_settings_warnings`) and logged.

The data dir is platformdirs' user data dir unless `--data-dir` or ATTENDANCE_APP_DATA_DIR says
otherwise. It holds the SQLite database, converted model weights, backups and logs, and is
created with mode 0700 because it holds biometric data.
"""

from __future__ import annotations

import json
import logging
import os
import shutil
import threading
from dataclasses import asdict, dataclass, fields, replace
from datetime import datetime
from pathlib import Path
from typing import Any

from platformdirs import user_data_dir

from attendance_app.domain.errors import ValidationError

log = logging.getLogger(__name__)

APP_NAME = "attendance_app"
DATA_DIR_ENV = "ATTENDANCE_APP_DATA_DIR"
DATASETS_ENV = "ATTENDANCE_APP_DATASETS"


@dataclass(frozen=True)
class Settings:
    """User-tunable behaviour. Thresholds are cosine similarities in [-1, 1]."""

    # Matching: best person score must reach the threshold and beat the runner-up by the margin.
    match_threshold: float = 0.55
    runner_up_margin: float = 0.05
    # The embedder a NEW data folder starts with ("sface" or "facenet", ADR 0020); a data
    # folder that already has an active model keeps it (switch with `models activate`).
    first_model: str = "sface"
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
    # Camera templates (issue 12): a clearly confirmed, good, live view may join the person's
    # templates (at most camera_templates_per_person, oldest replaced); never when the
    # runner-up person scores within camera_template_min_margin of the best.
    learn_camera_templates: bool = False
    camera_template_min_margin: float = 0.10
    camera_templates_per_person: int = 5
    # Kiosk challenge (issue 15): when passive evidence stays inconclusive the Live view asks
    # the person to blink or turn their head. "auto" = on when liveness is "require".
    liveness_challenge: str = "auto"
    record_not_on_roster: bool = True
    late_after_minutes: int = 10
    camera: str = "0"
    # Retention (days) and backups.
    unknown_snapshot_retention_days: int = 7
    thumbnail_retention_days: int = 30
    backups_keep: int = 7
    # Shared PostgreSQL server (issue 16): a libpq connection string WITHOUT a password (the
    # password comes from PGPASSWORD or ~/.pgpass); "" = this kiosk works alone.
    # ATTENDANCE_APP_SERVER overrides it.
    server: str = ""

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


# (lowest, highest) allowed for the numeric settings; None = unbounded on that side. Fields not
# listed are checked for their type only (the type of their default).
SETTING_RANGES: dict[str, tuple[float | None, float | None]] = {
    "match_threshold": (-1.0, 1.0), "runner_up_margin": (0.0, 1.0),
    "crop_margin": (0, 80), "min_face_size": (10, 1000),
    "enroll_min_face_px": (1, 4000), "enroll_min_sharpness": (0.0, None),
    "enroll_shots": (1, 50), "confirm_frames": (1, 100),
    "confirm_min_similarity": (-1.0, 1.0), "unknown_after_frames": (1, 1000),
    "check_every_frames": (1, 1000), "reembed_every_frames": (1, 1000),
    "detect_every_frames": (1, 100), "detect_max_side": (64, 8192),
    "late_after_minutes": (0, 24 * 60), "unknown_snapshot_retention_days": (0, 36500),
    "thumbnail_retention_days": (0, 36500), "backups_keep": (1, 1000),
    "liveness_wait_s": (0.0, 600.0),
    "camera_template_min_margin": (0.0, 2.0), "camera_templates_per_person": (1, 100),
}

# The string settings that take one of a few words.
SETTING_CHOICES: dict[str, tuple[str, ...]] = {"liveness": ("off", "flag", "require"),
                                               "liveness_challenge": ("auto", "on", "off"),
                                               "first_model": ("sface", "facenet")}


def challenge_enabled(settings: Settings) -> bool:
    """Whether the Live view asks for a blink / head turn (setting liveness_challenge; "auto":
    only under liveness "require"). Never with liveness "off"."""
    if settings.liveness == "off":
        return False
    if settings.liveness_challenge == "auto":
        return settings.liveness == "require"
    return settings.liveness_challenge == "on"

_warnings: dict[str, list[str]] = {}
_warnings_lock = threading.Lock()


def setting_problem(name: str, value: Any) -> str | None:
    """Why `value` is not valid for the setting `name` (None when it is)."""
    default = getattr(Settings(), name)
    kind = type(default)
    if kind is bool:
        ok = isinstance(value, bool)
    elif kind is int:
        ok = isinstance(value, int) and not isinstance(value, bool)
    elif kind is float:
        ok = isinstance(value, (int, float)) and not isinstance(value, bool)
    else:
        ok = isinstance(value, kind)
    if not ok:
        return f"the setting {name} must be {kind.__name__}, not {value!r}"
    if kind is str and default.strip() and not value.strip():  # "" is a valid "none" for some
        return f"the setting {name} must not be empty"
    choices = SETTING_CHOICES.get(name)
    if choices is not None and value not in choices:
        return f"the setting {name} must be one of {', '.join(choices)}, not {value!r}"
    low, high = SETTING_RANGES.get(name, (None, None))
    if (low is not None and value < low) or (high is not None and value > high):
        span = f"between {low} and {high}" if high is not None else f"at least {low}"
        return f"the setting {name} must be {span}, not {value!r}"
    return None


def validate_settings(settings: Settings) -> Settings:
    """Return `settings` when every field has the right type and range; ValidationError
    naming the first bad field otherwise."""
    for f in fields(Settings):
        problem = setting_problem(f.name, getattr(settings, f.name))
        if problem:
            raise ValidationError(problem)
    return settings


def load_settings(paths: AppPaths) -> Settings:
    """Read settings.json; missing keys take defaults and unknown keys are ignored. A file that
    cannot be parsed, or has invalid values, is kept aside with a warning (module docstring)."""
    path = paths.settings_path
    try:
        raw: Any = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return Settings()
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        return _recover(paths, {}, [f"it could not be read ({exc})"])
    if not isinstance(raw, dict):
        return _recover(paths, {}, ["it does not hold a JSON object"])
    good, problems = {}, []
    for f in fields(Settings):
        if f.name in raw:
            problem = setting_problem(f.name, raw[f.name])
            if problem:
                problems.append(problem)
            else:
                good[f.name] = raw[f.name]
    return _recover(paths, good, problems) if problems else Settings(**good)


def _recover(paths: AppPaths, good: dict[str, Any], problems: list[str]) -> Settings:
    """Keep the bad file, write the settings now in force, and record the warning."""
    settings = Settings(**good)
    stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
    kept = paths.settings_path.with_name(f"{paths.settings_path.name}.damaged-{stamp}")
    try:
        shutil.copy2(paths.settings_path, kept)
        save_settings(paths, settings)
        where = f"the file was kept as {kept}"
    except OSError as exc:
        where = f"the file could not be kept aside ({exc})"
    reset = [f.name for f in fields(Settings) if f.name not in good]
    reset_text = ("every setting now has its default value" if not good else
                  f"these now have their default values: {', '.join(reset)}")
    warning = f"settings.json had problems: {'; '.join(problems)}. {where}; {reset_text}"
    log.warning(warning)
    with _warnings_lock:
        _warnings.setdefault(str(paths.settings_path), []).append(warning)
    return settings


def take_settings_warnings(paths: AppPaths) -> list[str]:
    """The warnings `load_settings` recorded for this data dir, once (then forgotten)."""
    with _warnings_lock:
        return _warnings.pop(str(paths.settings_path), [])


def save_settings(paths: AppPaths, settings: Settings) -> None:
    """Write settings.json atomically (temp file then os.replace). ValidationError (nothing
    written) when a value is invalid."""
    validate_settings(settings)
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
