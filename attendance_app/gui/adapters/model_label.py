"""The active model's label for the window: its name with the threshold and margin in force."""

from __future__ import annotations

from typing import Any


def model_label(info: Any, settings: Any) -> str:
    """`info` a ModelInfo, `settings` the Settings. Each model may carry its own threshold and
    margin (issue 12); None means the Settings values apply, and the label says which."""
    own = info.match_threshold is not None
    threshold = info.match_threshold if own else settings.match_threshold
    margin = info.match_margin if info.match_margin is not None else settings.runner_up_margin
    origin = "the model's own" if own else "from these settings"
    return f"{info.name} — threshold {threshold:.2f}, margin {margin:.2f} ({origin})"
