"""The shared PostgreSQL server's schema: versioned, created and migrated by `server init`.

Tables (all in the connecting role's search path, normally `public`):
- `app_schema` one row: the schema version this server holds;
- `people` one row per person (uid from the kiosk that enrolled them), `field_at` the time each
  field was last written (last writer wins per field), `version` from the `sync_version`
  sequence: what a kiosk pulls after the version it saw last;
- `people_history` every overwritten (or losing) field value, with who wrote it and when;
- `templates` embeddings as little-endian float32 bytes (bytea, exactly the kiosk's bytes) with
  the `model_key` (sha256 of the weights) that made them;
- `deletions` tombstones of deleted people (their templates are gone with them);
- `attendance_records`, `corrections` keyed by the kiosk-made UUID: delivery is
  `INSERT ... ON CONFLICT DO NOTHING`, so a retry never duplicates.

Writes that bump `sync_version` take one advisory lock (`WRITE_LOCK`) so versions are handed
out in commit order: a kiosk that pulled version N can never later miss a change below N.
"""

from __future__ import annotations

from collections.abc import Callable

SCHEMA_VERSION = 1
MIN_SERVER_VERSION_NUM = 150000
WRITE_LOCK = 160016  # pg_advisory_xact_lock key of the versioned writers
CHANGES_CHANNEL = "attendance_app_changes"

_STEPS: dict[int, tuple[str, ...]] = {
    1: (
        "CREATE TABLE app_schema (version integer NOT NULL, migrated_at timestamptz NOT NULL)",
        "INSERT INTO app_schema VALUES (0, now())",
        "CREATE SEQUENCE sync_version",
        """CREATE TABLE people (
            uid uuid PRIMARY KEY,
            name text NOT NULL, external_id text, group_name text,
            consent_at text, consent_by text, consent_version text, created_at text,
            field_at jsonb NOT NULL DEFAULT '{}',
            version bigint NOT NULL,
            updated_by text, updated_at timestamptz NOT NULL DEFAULT now())""",
        "CREATE INDEX people_version ON people(version)",
        """CREATE TABLE people_history (
            id bigserial PRIMARY KEY, person_uid uuid NOT NULL, field text NOT NULL,
            old_value text, new_value text, winner text NOT NULL,
            written_at text, written_by text, recorded_at timestamptz NOT NULL DEFAULT now())""",
        """CREATE TABLE templates (
            uid uuid PRIMARY KEY,
            person_uid uuid NOT NULL REFERENCES people(uid) ON DELETE CASCADE,
            model_key text NOT NULL, embedding bytea NOT NULL, created_at text,
            version bigint NOT NULL)""",
        "CREATE INDEX templates_version ON templates(version)",
        "CREATE INDEX templates_person ON templates(person_uid)",
        """CREATE TABLE deletions (
            person_uid uuid PRIMARY KEY, deleted_at text, deleted_by text,
            version bigint NOT NULL)""",
        "CREATE INDEX deletions_version ON deletions(version)",
        """CREATE TABLE attendance_records (
            uid uuid PRIMARY KEY, kiosk_id text NOT NULL,
            session_uid uuid NOT NULL, session_name text NOT NULL, roster_group text,
            session_started_at text NOT NULL, late_after text, planned_end text,
            person_uid uuid, person_name text NOT NULL, external_id text, group_name text,
            status text NOT NULL, time text NOT NULL, similarity double precision,
            source text NOT NULL, created_at text NOT NULL,
            received_at timestamptz NOT NULL DEFAULT clock_timestamp())""",
        "CREATE INDEX records_time ON attendance_records(time)",
        "CREATE INDEX records_group_time ON attendance_records(group_name, time)",
        """CREATE TABLE corrections (
            uid uuid PRIMARY KEY, record_uid uuid NOT NULL, kiosk_id text NOT NULL,
            action text NOT NULL, new_status text, by_user text NOT NULL, at text NOT NULL,
            reason text NOT NULL DEFAULT '',
            received_at timestamptz NOT NULL DEFAULT clock_timestamp())""",
        "CREATE INDEX corrections_record ON corrections(record_uid)",
    ),
}
LATEST = max(_STEPS)
assert LATEST == SCHEMA_VERSION


def pending_steps(current: int) -> list[tuple[int, tuple[str, ...]]]:
    """The (version, statements) still to run on a server at schema version `current`."""
    return [(v, _STEPS[v]) for v in sorted(_STEPS) if v > current]


def apply_steps(execute: Callable[[str], object], current: int) -> list[int]:
    """Run the pending steps through `execute` (inside the caller's transaction); versions run."""
    done = []
    for version, statements in pending_steps(current):
        for sql in statements:
            execute(sql)
        execute(f"UPDATE app_schema SET version = {int(version)}, migrated_at = now()")
        done.append(version)
    return done
