"""GalleryProvider: the in-memory gallery of the active model's templates, rebuilt on change.

Enrolment, deletion and model activation call `invalidate()`; the next `current()` reloads the
templates from SQLite. Reads are cheap after the first, so the live pipeline can ask every frame.
"""

from __future__ import annotations

import threading
from collections.abc import Callable

from attendance_app.vision.gallery import Gallery


class GalleryProvider:
    """Thread-safe cache of one Gallery for the active model.

    `load` returns (embeddings (M, 512) float32, person_ids (M,) int64) for the active model; it
    runs on whichever thread asks first after an invalidation, so it must open its own
    connection when called off the owning thread (AppServices passes such a loader).
    """

    def __init__(self, load: Callable[[], tuple]) -> None:
        self._load = load
        self._gallery: Gallery | None = None
        self._version = 0
        self._lock = threading.Lock()

    def current(self) -> Gallery:
        with self._lock:
            if self._gallery is None:
                embeddings, person_ids = self._load()
                self._gallery = Gallery.from_arrays(embeddings, person_ids)
            return self._gallery

    @property
    def version(self) -> int:
        """Bumped on every invalidation: lets callers notice the gallery changed."""
        return self._version

    def invalidate(self) -> None:
        with self._lock:
            self._gallery = None
            self._version += 1
