"""Accuracy and speed benchmarks over reference datasets (pure functions returning dicts).

They build temporary in-memory galleries and never touch the user's database.
"""
