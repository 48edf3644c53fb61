"""RepositoryCameraTemplates: the app's CameraTemplateStore, over the template repository.

Camera templates belong to the model that embedded them (the active one when the session
started); a model switch rebuilds templates from stored enrolment crops, so the new model
learns its own camera templates again. After each write the gallery is invalidated, so the
next frame already matches against the new template.
"""

from __future__ import annotations

import numpy as np

from attendance_app.services.gallery_provider import GalleryProvider
from attendance_app.storage.template_repository import TemplateRepository


class RepositoryCameraTemplates:
    def __init__(self, db, model_id: int, gallery: GalleryProvider) -> None:
        self._templates = TemplateRepository(db)
        self._model_id = model_id
        self._gallery = gallery

    def add_camera_template(self, person_id: int, embedding: np.ndarray, crop: np.ndarray,
                            max_per_person: int) -> None:
        self._templates.add_camera_template(person_id, self._model_id, embedding,
                                            max_per_person)
        self._gallery.invalidate()
