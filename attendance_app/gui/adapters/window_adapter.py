"""ServicesWindow: the WindowBackend over AppServices: model warm-up and trust (issue 7)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from attendance_app.gui.adapters.model_label import model_label
from attendance_app.services.app_services import AppServices
from attendance_app.services.live_support import available_cameras


class ServicesWindow:
    services: AppServices
    _cameras: list[str]
    _model_name: str

    def warm_up(self, ctx: Any) -> str:
        """Any thread: converts/loads the weights and builds MTCNN and the embedder on a
        container of its own, then hands those model objects to the GUI's container so that no
        model is ever built on the GUI thread."""
        ctx.report_progress(0.1, "Converting or loading the face model")
        own = AppServices.open(self.services.paths, self.services.settings)
        try:
            own.models.prepare_default_weights_isolated()  # first start: in a child process
            info = own.models.ensure_default_model()
            own.models.active_embedder()
            own.detector()
        finally:
            own.close()
        ctx.report_progress(0.9, "Looking for cameras")
        self._cameras = [str(i) for i in available_cameras()]
        self.services.adopt_models(own)
        self._model_name = model_label(info, self.services.settings)
        return info.name

    def startup_warnings(self) -> list[str]:
        return list(self.services.startup_warnings)

    def housekeeping(self) -> list[str]:
        return self.services.housekeeping()

    def biometrics_locked(self) -> bool:
        return self.services.biometrics_locked

    def unlock(self, passphrase: str) -> None:
        self.services.unlock(passphrase)

    def admin_password_set(self) -> bool:
        from attendance_app.services.admin_guard import AdminGuard

        return AdminGuard(self.services.db).is_set

    def require_admin(self, password_provider: Callable[[], str | None]) -> None:
        from attendance_app.services.admin_guard import require_admin

        require_admin(self.services, password_provider)

    def set_admin_password(self, new_password: str) -> None:
        from attendance_app.services.admin_guard import AdminGuard

        AdminGuard(self.services.db).set_password(new_password)

    def sync_status_text(self) -> str | None:
        """The shared server's state for the status bar, None when there is none (issue 16);
        the first call starts the background sync."""
        from attendance_app.services.sync.server_address import sync_configured

        if not sync_configured(self.services.settings):
            return None
        sync = self.services.sync
        if sync.config_error:
            return f"not used: {sync.config_error}"
        sync.start_background()
        return str(sync.status(self.services.db).text)

    def close(self) -> None:
        self.services.close()
