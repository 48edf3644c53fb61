"""CameraTemplatePolicy: a view is learned only after a clear, good, live confirmation."""

from __future__ import annotations

import pytest

from attendance_app.domain.camera_template_policy import CameraTemplatePolicy
from attendance_app.domain.errors import ValidationError

POLICY = CameraTemplatePolicy(min_margin=0.10, min_quality=60.0)


def test_a_clear_good_confirmation_is_learned_with_or_without_a_liveness_check() -> None:
    assert POLICY.accepts(0.7, 0.3, 80.0, live=None)
    assert POLICY.accepts(0.7, 0.3, 80.0, live=True)


@pytest.mark.parametrize("similarity, margin, quality, live, reason", [
    (0.7, 0.09, 80.0, None, "runner-up too close"),  # a look-alike is never learned
    (0.7, 0.3, 59.0, None, "face quality too low"),
    (0.7, 0.3, 80.0, False, "no live face"),
])
def test_each_reason_refuses_on_its_own(similarity, margin, quality, live, reason) -> None:
    reasons = POLICY.reasons_against(similarity, margin, quality, live)
    assert len(reasons) == 1 and reasons[0].startswith(reason)
    assert not POLICY.accepts(similarity, margin, quality, live)


def test_nonsense_limits_are_refused() -> None:
    with pytest.raises(ValidationError):
        CameraTemplatePolicy(max_per_person=0)
    with pytest.raises(ValidationError):
        CameraTemplatePolicy(min_margin=-0.1)
