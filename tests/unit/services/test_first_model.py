"""Which embedder a new data folder starts with (ADR 0020): SFace by default, FaceNet when the
setting says so; a data folder that already has an active model keeps it. Real conversion and
real fold of the shipped weights (cached per folder)."""

from __future__ import annotations

import pytest

from attendance_app.config import AppPaths, Settings, setting_problem
from attendance_app.services.app_services import AppServices
from attendance_app.services.model_service import SFACE_MATCH_MARGIN, SFACE_MATCH_THRESHOLD


def _open(tmp_path, **settings) -> AppServices:
    return AppServices.open(AppPaths.resolve(str(tmp_path / "data")), Settings(**settings))


def test_a_new_data_folder_starts_with_sface_and_its_own_threshold(tmp_path):
    services = _open(tmp_path)
    try:
        active = services.models.ensure_default_model()
        assert active.architecture == "sface"
        assert services.models.match_policy(services.settings) == (
            SFACE_MATCH_THRESHOLD, SFACE_MATCH_MARGIN)
        assert services.models.active_embedder().embedding_size == 128
        # FaceNet is registered beside it, selectable with `models activate`.
        assert sorted(m.architecture for m in services.models.list_models()) == [
            "facenet", "sface"]
    finally:
        services.close()


def test_first_model_facenet_keeps_the_old_default(tmp_path):
    services = _open(tmp_path, first_model="facenet")
    try:
        assert services.models.ensure_default_model().architecture == "facenet"
        assert services.models.match_policy(services.settings) == (0.55, 0.05)
    finally:
        services.close()


def test_an_existing_data_folder_keeps_its_active_model(tmp_path):
    first = _open(tmp_path, first_model="facenet")
    try:
        first.models.ensure_default_model()
    finally:
        first.close()
    again = _open(tmp_path)  # the default (sface) applies to new folders only
    try:
        assert again.models.ensure_default_model().architecture == "facenet"
    finally:
        again.close()


@pytest.mark.parametrize("value", ["arcface", "", 1])
def test_first_model_accepts_only_the_two_embedders(value):
    assert setting_problem("first_model", value) is not None
