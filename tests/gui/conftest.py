"""GUI test fixtures: offscreen Qt (set in tests/conftest.py), no modal dialogs."""

from __future__ import annotations

import pytest


@pytest.fixture
def recorded_errors():
    """A sink for ErrorPresenter that records (title, text) instead of opening a dialog."""
    messages: list[tuple[str, str]] = []

    def sink(title: str, text: str) -> None:
        messages.append((title, text))

    sink.messages = messages  # type: ignore[attr-defined]
    return sink
