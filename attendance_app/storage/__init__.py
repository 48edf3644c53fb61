"""Storage: the SQLite file (sqlite-utils), migrations and repositories returning domain objects."""
