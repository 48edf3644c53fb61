"""Kiosk sync with a shared PostgreSQL server (issue 16; docs/adr/0016-kiosk-sync.md)."""
