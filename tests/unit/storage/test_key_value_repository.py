"""KeyValueRepository: values persist across connections and can be replaced or removed."""

from __future__ import annotations

from attendance_app.storage.database import AppDatabase, open_database
from attendance_app.storage.key_value_repository import KeyValueRepository


def test_values_are_stored_replaced_and_removed(app_db: AppDatabase) -> None:
    kv = KeyValueRepository(app_db)
    assert kv.get("admin_hash") is None and kv.get("admin_hash", "none") == "none"
    kv.set("admin_hash", "scrypt$1")
    kv.set("admin_hash", "scrypt$2")
    with open_database(app_db.path) as other:
        assert KeyValueRepository(other).get("admin_hash") == "scrypt$2"
    assert kv.delete("admin_hash") is True
    assert kv.delete("admin_hash") is False
    assert kv.get("admin_hash") is None
