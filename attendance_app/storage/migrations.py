"""Schema migrations: an ordered registry, one function per schema step.

Each step runs in its own transaction together with the bump of `PRAGMA user_version` and a row
in `schema_migrations`, so a crash leaves the file at the previous version, never half-way.
Add a step by writing `@migration(N, "what it does")` below the last one; never edit a released
step. Times are naive local ISO-8601 strings (see time_codec).

Deleting a person (privacy): crops, templates and the unknown-face snapshots linked to them go
with them (ON DELETE CASCADE); attendance records stay for reports, keeping the name, external
id and group copied onto the record, with `person_id` set NULL and the face thumbnail erased
(trigger `people_forget_thumbnails`).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

MigrationStep = Callable[[sqlite3.Connection], None]


@dataclass(frozen=True)
class Migration:
    version: int
    description: str
    apply: MigrationStep


REGISTRY: list[Migration] = []


def migration(version: int, description: str) -> Callable[[MigrationStep], MigrationStep]:
    """Register `fn` as the step that takes the schema from `version - 1` to `version`."""

    def register(fn: MigrationStep) -> MigrationStep:
        expected = len(REGISTRY) + 1
        if version != expected:
            raise RuntimeError(f"migration {version} registered out of order (expected {expected})")
        REGISTRY.append(Migration(version, description, fn))
        return fn

    return register


def _run(conn: sqlite3.Connection, *statements: str) -> None:
    # One execute per statement: executescript() would commit the open transaction.
    for sql in statements:
        conn.execute(sql)


@migration(1, "initial schema: people, crops, templates, models, sessions, records, unknowns")
def _initial_schema(conn: sqlite3.Connection) -> None:
    _run(
        conn,
        """CREATE TABLE schema_migrations (
            version INTEGER PRIMARY KEY, description TEXT NOT NULL, applied_at TEXT NOT NULL)""",
        """CREATE TABLE people (
            id INTEGER PRIMARY KEY,
            name TEXT NOT NULL CHECK (length(trim(name)) > 0),
            external_id TEXT UNIQUE,
            group_name TEXT,
            consent_at TEXT, consent_by TEXT, consent_version TEXT,
            created_at TEXT NOT NULL)""",
        "CREATE INDEX idx_people_name ON people(name COLLATE NOCASE)",
        "CREATE INDEX idx_people_group ON people(group_name)",
        """CREATE TABLE models (
            id INTEGER PRIMARY KEY,
            name TEXT NOT NULL,
            kind TEXT NOT NULL CHECK (kind IN ('converted', 'imported', 'finetuned')),
            path TEXT NOT NULL,
            sha256 TEXT NOT NULL,
            parent_id INTEGER REFERENCES models(id) ON DELETE SET NULL,
            metrics_json TEXT NOT NULL DEFAULT '{}',
            created_at TEXT NOT NULL,
            is_active INTEGER NOT NULL DEFAULT 0 CHECK (is_active IN (0, 1)))""",
        # At most one active model, enforced by the file itself.
        "CREATE UNIQUE INDEX idx_models_one_active ON models(is_active) WHERE is_active = 1",
        "CREATE INDEX idx_models_sha256 ON models(sha256)",
        """CREATE TABLE face_crops (
            id INTEGER PRIMARY KEY,
            person_id INTEGER NOT NULL REFERENCES people(id) ON DELETE CASCADE,
            png BLOB NOT NULL,
            quality_size REAL, quality_sharpness REAL, quality_yaw REAL,
            source TEXT,
            created_at TEXT NOT NULL)""",
        "CREATE INDEX idx_face_crops_person ON face_crops(person_id)",
        # A template made from a crop goes when the crop goes (a bad shot is removed whole).
        """CREATE TABLE templates (
            id INTEGER PRIMARY KEY,
            person_id INTEGER NOT NULL REFERENCES people(id) ON DELETE CASCADE,
            crop_id INTEGER REFERENCES face_crops(id) ON DELETE CASCADE,
            model_id INTEGER NOT NULL REFERENCES models(id) ON DELETE CASCADE,
            embedding BLOB NOT NULL,
            created_at TEXT NOT NULL)""",
        "CREATE INDEX idx_templates_model ON templates(model_id, person_id)",
        "CREATE INDEX idx_templates_person ON templates(person_id)",
        "CREATE INDEX idx_templates_crop ON templates(crop_id)",
        """CREATE TABLE sessions (
            id INTEGER PRIMARY KEY,
            name TEXT NOT NULL,
            roster_group TEXT,
            started_at TEXT NOT NULL,
            late_after TEXT, planned_end TEXT, ended_at TEXT)""",
        "CREATE INDEX idx_sessions_started ON sessions(started_at)",
        "CREATE INDEX idx_sessions_name ON sessions(name COLLATE NOCASE, started_at)",
        # Statuses and sources are checked against the domain enums in the repository, so a new
        # status does not need a table rebuild. person_name/external_id/group_name are copies
        # taken when the record is made: reports outlive a deleted person.
        """CREATE TABLE attendance_records (
            id INTEGER PRIMARY KEY,
            session_id INTEGER NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
            person_id INTEGER REFERENCES people(id) ON DELETE SET NULL,
            person_name TEXT NOT NULL,
            external_id TEXT,
            group_name TEXT,
            status TEXT NOT NULL,
            time TEXT NOT NULL,
            similarity REAL,
            source TEXT NOT NULL,
            thumbnail_png BLOB,
            created_at TEXT NOT NULL,
            UNIQUE (session_id, person_id))""",
        "CREATE INDEX idx_records_person_time ON attendance_records(person_id, time)",
        "CREATE INDEX idx_records_group_time ON attendance_records(group_name, time)",
        "CREATE INDEX idx_records_created ON attendance_records(created_at)",
        """CREATE TRIGGER people_forget_thumbnails BEFORE DELETE ON people BEGIN
            UPDATE attendance_records SET thumbnail_png = NULL WHERE person_id = OLD.id;
        END""",
        """CREATE TABLE corrections (
            id INTEGER PRIMARY KEY,
            record_id INTEGER NOT NULL REFERENCES attendance_records(id) ON DELETE CASCADE,
            action TEXT NOT NULL,
            new_status TEXT,
            by_user TEXT NOT NULL,
            at TEXT NOT NULL,
            reason TEXT NOT NULL DEFAULT '')""",
        "CREATE INDEX idx_corrections_record ON corrections(record_id, id)",
        # best_person_id cascades too: a near-miss snapshot of someone is likely their face.
        """CREATE TABLE unknown_faces (
            id INTEGER PRIMARY KEY,
            session_id INTEGER REFERENCES sessions(id) ON DELETE CASCADE,
            time TEXT NOT NULL,
            snapshot_png BLOB,
            best_person_id INTEGER REFERENCES people(id) ON DELETE CASCADE,
            best_similarity REAL,
            status TEXT NOT NULL DEFAULT 'pending'
                CHECK (status IN ('pending', 'dismissed', 'enrolled')),
            enrolled_person_id INTEGER REFERENCES people(id) ON DELETE CASCADE,
            created_at TEXT NOT NULL)""",
        "CREATE INDEX idx_unknown_status_time ON unknown_faces(status, time)",
        "CREATE INDEX idx_unknown_created ON unknown_faces(created_at)",
        "CREATE INDEX idx_unknown_best_person ON unknown_faces(best_person_id)",
        "CREATE INDEX idx_unknown_enrolled_person ON unknown_faces(enrolled_person_id)",
        "CREATE INDEX idx_unknown_session ON unknown_faces(session_id)",
        "CREATE TABLE settings_kv (key TEXT PRIMARY KEY, value TEXT NOT NULL)",
    )


# ---------------------------------------------------------------- issue 15: liveness (ONE step)
@migration(2, "liveness: record flag and suspect-face reason")
def _liveness_columns(conn: sqlite3.Connection) -> None:
    """attendance_records.liveness: NULL (not checked: off, manual, session close), 'live' or
    'liveness not shown' (flagged for review). unknown_faces.liveness_reason: NULL for an
    ordinary unknown face; for a face the liveness check held back (policy *require*: matched
    someone but never showed life) the reason, so the review queue can show it as suspect."""
    _run(conn,
         "ALTER TABLE attendance_records ADD COLUMN liveness TEXT",
         "ALTER TABLE unknown_faces ADD COLUMN liveness_reason TEXT",
         "CREATE INDEX idx_records_liveness ON attendance_records(liveness) "
         "WHERE liveness IS NOT NULL")


LATEST_VERSION = REGISTRY[-1].version


def current_version(conn: sqlite3.Connection) -> int:
    return int(conn.execute("PRAGMA user_version").fetchone()[0])


def apply_migrations(conn: sqlite3.Connection, registry: list[Migration] | None = None) -> list[int]:
    """Run every registered step above the file's version, each in its own transaction.

    `conn` must be in autocommit mode (isolation_level=None). The version is re-read after the
    write lock is taken, so two processes starting together do not both run a step. Returns the
    versions applied.
    """
    steps = REGISTRY if registry is None else registry
    applied: list[int] = []
    for step in steps:
        if current_version(conn) >= step.version:
            continue
        conn.execute("BEGIN IMMEDIATE")
        try:
            if current_version(conn) < step.version:
                step.apply(conn)
                conn.execute(
                    "INSERT INTO schema_migrations (version, description, applied_at) "
                    "VALUES (?, ?, ?)",
                    (step.version, step.description, datetime.now().isoformat()))
                conn.execute(f"PRAGMA user_version = {int(step.version)}")
                applied.append(step.version)
            conn.execute("COMMIT")
        except BaseException:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            raise
    return applied
