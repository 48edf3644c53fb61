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


# ---------------------------------------------------------------- issue 12 (SFace, per-model)
@migration(2, "issue 12: model architecture + per-model match threshold/margin; crop landmarks")
def _issue12_model_architecture_and_crop_landmarks(conn: sqlite3.Connection) -> None:
    # architecture says which network a weights file builds ('facenet' InceptionResnetV1 state
    # dicts, 'sface' folded ONNX graphs); kind keeps its meaning (converted/imported/finetuned),
    # so the CHECK constraint on kind needs no table rebuild. A NULL threshold/margin means
    # "the Settings values" (what the default FaceNet was tuned with). landmarks_json holds the
    # five landmarks in the stored crop's coordinates, so an aligning model (SFace) can be re-run
    # on the crop when the active model changes; NULL for crops stored before this version.
    # context_png: a wider face region at (up to 400 px) native resolution, which landmarks_json
    # refers to: SFace's alignment warped from it equals the one warped from the frame, whereas
    # warping the 160 px INTER_AREA crop measured 0.93 vs 0.96 one-shot rank-1 (five_celebrity).
    _run(conn,
         "ALTER TABLE face_crops ADD COLUMN context_png BLOB",
         "ALTER TABLE models ADD COLUMN architecture TEXT NOT NULL DEFAULT 'facenet'",
         "ALTER TABLE models ADD COLUMN match_threshold REAL",
         "ALTER TABLE models ADD COLUMN match_margin REAL",
         "ALTER TABLE face_crops ADD COLUMN landmarks_json TEXT")



# ---------------------------------------------------------------- issue 16: kiosk sync
# UUIDs made on the kiosk (a trigger fills `uid` on insert, so no repository changes) and an
# outbox written by triggers in the same transaction as the row it announces: a record that is
# committed locally is always either delivered or still waiting. While the sync component applies
# changes that came *from* the server it holds a row in `sync_apply_guard` (inside its own write
# transaction, invisible to others), so those changes are not echoed back to the server.
_UUID_SQL = ("lower(hex(randomblob(4))) || '-' || lower(hex(randomblob(2))) || '-4' || "
             "substr(lower(hex(randomblob(2))), 2) || '-' || substr('89ab', 1 + (abs(random()) "
             "% 4), 1) || substr(lower(hex(randomblob(2))), 2) || '-' || "
             "lower(hex(randomblob(6)))")
_SYNCED_TABLES = ("people", "sessions", "attendance_records", "corrections", "templates")
_NOT_APPLYING = "NOT EXISTS (SELECT 1 FROM sync_apply_guard)"
_PERSON_FIELDS = ("name", "external_id", "group_name", "consent_at", "consent_by",
                  "consent_version")


@migration(3, "kiosk sync: row UUIDs, outbox, tombstones of deleted people")
def _kiosk_sync(conn: sqlite3.Connection) -> None:
    for table in _SYNCED_TABLES:
        _run(conn, f"ALTER TABLE {table} ADD COLUMN uid TEXT",
             f"UPDATE {table} SET uid = {_UUID_SQL}",
             f"CREATE UNIQUE INDEX idx_{table}_uid ON {table}(uid)",
             f"""CREATE TRIGGER {table}_make_uid AFTER INSERT ON {table} WHEN NEW.uid IS NULL
                 BEGIN UPDATE {table} SET uid = {_UUID_SQL} WHERE rowid = NEW.rowid; END""")
    changed = ", ".join(f"CASE WHEN OLD.{f} IS NOT NEW.{f} THEN '{f}' END"
                        for f in _PERSON_FIELDS)
    values = ", ".join(f"'{f}', NEW.{f}" for f in _PERSON_FIELDS)  # as written, for LWW
    _run(
        conn,
        "CREATE TABLE sync_apply_guard (id INTEGER PRIMARY KEY)",
        # kind: record | correction | person | template | person_delete; local_id: the row's id
        # (read when delivered); payload: what the row cannot tell later (changed fields, uid).
        """CREATE TABLE sync_outbox (
            id INTEGER PRIMARY KEY,
            kind TEXT NOT NULL,
            local_id INTEGER,
            payload TEXT NOT NULL DEFAULT '{}',
            created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%f', 'now', 'localtime')))""",
        "CREATE TABLE sync_tombstones (uid TEXT PRIMARY KEY, deleted_at TEXT NOT NULL)",
        f"""CREATE TRIGGER sync_out_record AFTER INSERT ON attendance_records WHEN {_NOT_APPLYING}
            BEGIN INSERT INTO sync_outbox (kind, local_id) VALUES ('record', NEW.id); END""",
        f"""CREATE TRIGGER sync_out_correction AFTER INSERT ON corrections WHEN {_NOT_APPLYING}
            BEGIN INSERT INTO sync_outbox (kind, local_id) VALUES ('correction', NEW.id); END""",
        f"""CREATE TRIGGER sync_out_template AFTER INSERT ON templates WHEN {_NOT_APPLYING}
            BEGIN INSERT INTO sync_outbox (kind, local_id) VALUES ('template', NEW.id); END""",
        f"""CREATE TRIGGER sync_out_person_new AFTER INSERT ON people WHEN {_NOT_APPLYING}
            BEGIN INSERT INTO sync_outbox (kind, local_id, payload) VALUES ('person', NEW.id,
              json_object('changed', json_array({", ".join(repr(f) for f in _PERSON_FIELDS)}),
                          'values', json_object({values})));
            END""",
        f"""CREATE TRIGGER sync_out_person_edit AFTER UPDATE OF {", ".join(_PERSON_FIELDS)}
            ON people WHEN {_NOT_APPLYING}
            BEGIN INSERT INTO sync_outbox (kind, local_id, payload) VALUES ('person', NEW.id,
              json_object('changed', (SELECT json_group_array(value) FROM
                json_each(json_array({changed})) WHERE value IS NOT NULL),
                'values', json_object({values}))); END""",
        # A delete is remembered locally (a pull must not bring the person back) and sent out.
        """CREATE TRIGGER sync_tombstone_person AFTER DELETE ON people WHEN OLD.uid IS NOT NULL
            BEGIN INSERT OR REPLACE INTO sync_tombstones (uid, deleted_at) VALUES (OLD.uid,
              strftime('%Y-%m-%dT%H:%M:%f', 'now', 'localtime')); END""",
        f"""CREATE TRIGGER sync_out_person_delete AFTER DELETE ON people
            WHEN OLD.uid IS NOT NULL AND {_NOT_APPLYING}
            BEGIN INSERT INTO sync_outbox (kind, local_id, payload) VALUES ('person_delete',
              NULL, json_object('uid', OLD.uid)); END""",
    )



# ---------------------------------------------------------------- issue 15: liveness (ONE step)
@migration(4, "liveness: record flag and suspect-face reason")
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


# ------------------------------------------------- issue 12: camera templates (ONE step)
@migration(5, "issue 12 camera templates: templates.source")
def _template_source(conn: sqlite3.Connection) -> None:
    """templates.source: 'enrolment' (every template so far: photos, webcam shots, folders,
    rosters, re-embeddings) or 'camera' (learned from a clearly confirmed live sighting,
    capped per person; listed and removable in the People tab)."""
    _run(conn,
         "ALTER TABLE templates ADD COLUMN source TEXT NOT NULL DEFAULT 'enrolment'",
         "CREATE INDEX idx_templates_source ON templates(person_id, model_id, source)")


# The newest schema this app knows (every step above is registered at import).
LATEST_VERSION = REGISTRY[-1].version
