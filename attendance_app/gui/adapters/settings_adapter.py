"""ServicesSettings: the SettingsBackend over AppServices (GUI thread)."""

from __future__ import annotations

from typing import Any

import numpy as np

from attendance_app.config import Settings
from attendance_app.gui.adapters.model_label import model_label
from attendance_app.services.live_support import (similarity_distribution,
                                                  similarity_distribution_at)


class ServicesSettings:
    services: Any
    _model_name: str
    _enrollment: Any

    def similarity_scores(self) -> tuple[np.ndarray, np.ndarray]:
        if self.services.biometrics_locked:  # the templates are encrypted: no histogram
            return np.zeros((0,), np.float32), np.zeros((0,), np.float32)
        return similarity_distribution(self.services.db)

    def similarity_scores_job(self, ctx: Any) -> tuple[np.ndarray, np.ndarray]:
        """Any thread (own connection): `similarity_scores` for the task runner."""
        return similarity_distribution_at(self.services.paths.db_path)

    def active_model_name(self) -> str:
        return self._model_name

    def settings(self) -> Settings:
        return self.services.settings

    def threshold_in_force(self) -> tuple[float, bool]:
        """The match threshold the next session uses, and whether it is the active model's
        own (issue 12: each model keeps its own; the Settings value applies to the others)."""
        return self.services.models.threshold_in_force(self.services.settings)

    def save_settings(self, settings: Settings, model_threshold: float | None = None) -> None:
        self.services.update_settings(settings)
        if model_threshold is not None:
            info = self.services.models.set_active_threshold(model_threshold)
            self._model_name = model_label(info, settings)
        self._enrollment = self.services.enrollment
