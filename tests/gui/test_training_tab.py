"""The Training tab over the fake backend: start and cancel (nothing registered, active model
unchanged), a finished run (before/after table, verdict, Activate / Discard, rollback), and the
service's reason when there is too little data. The fake run ticks in the task runner like the
real one, so the progress signals and the cancel path are the real ones."""

from __future__ import annotations

import threading
from collections.abc import Iterator

import numpy as np
import pytest

from attendance_app.gui.backend import TrainingRequest
from attendance_app.gui.error_presenter import ErrorPresenter
from attendance_app.gui.tabs.training_tab import TrainingTab
from attendance_app.gui.task_runner import TaskRunner
from tests.gui.fake_backend import FakeBackend

WAIT_MS = 10000


def _enrol(backend: FakeBackend, people: int, crops: int) -> None:
    for k in range(people):
        backend.enrol(f"Person {k}", None, None, [np.zeros((160, 160, 3), np.uint8)] * crops,
                      "test")


@pytest.fixture
def backend() -> FakeBackend:
    fake = FakeBackend()
    _enrol(fake, 3, 3)
    return fake


@pytest.fixture
def tab(qtbot, backend, recorded_errors) -> Iterator[TrainingTab]:
    runner = TaskRunner()
    widget = TrainingTab(runner, ErrorPresenter(None, recorded_errors),
                         confirm=lambda title, text: True)
    qtbot.addWidget(widget)
    widget.resize(1100, 700)
    widget.set_backend(backend)
    yield widget
    runner.cancel_all()
    if backend.train_gate is not None:
        backend.train_gate.set()
    runner.wait_for_done(5000)


def test_defaults_and_counts_are_shown(tab):
    assert "3 people, 9 face crops" in tab.data_box.enrolled_count.text()
    request = tab.request()
    assert request.use_enrolled and request.folder is None
    assert request.epochs == 5 and request.margin == pytest.approx(0.2)
    assert request.trainable_blocks == ("repeat_3", "block8", "last_linear", "last_bn")
    assert tab.advanced.body.isHidden()  # advanced folded away by default
    assert tab.models_table.rowCount() == 1
    assert tab.start_button.isEnabled() and not tab.cancel_button.isEnabled()


def test_start_then_cancel_registers_nothing_and_keeps_the_active_model(
        qtbot, tab, backend, recorded_errors):
    backend.train_gate = threading.Event()  # the fake run waits at step 3 until released
    assert tab.start()
    assert tab.training and tab.cancel_button.isEnabled() and not tab.start_button.isEnabled()
    qtbot.waitUntil(lambda: len(tab.loss_plot.values()) >= 2, timeout=WAIT_MS)
    assert "Training: epoch 1" in tab.phase_label.text()
    assert np.isnan(tab.loss_plot.values()[1])  # a step without semi-hard triplets: a gap
    tab.cancel_button.click()
    backend.train_gate.set()
    qtbot.waitUntil(lambda: not tab.training, timeout=WAIT_MS)

    assert recorded_errors.messages == []
    assert "Cancelled: nothing was registered" in tab.phase_label.text()
    assert list(backend.registry) == [1] and backend.active_model_id() == 1
    assert backend.activated == [] and tab.candidate is None and tab.outcome is None
    assert not tab.activate_button.isEnabled() and not tab.discard_button.isEnabled()
    assert tab.start_button.isEnabled() and not tab.cancel_button.isEnabled()


def test_finished_run_shows_before_after_and_activate_switches_the_model(
        qtbot, tab, backend, recorded_errors):
    activated: list[str] = []
    tab.model_activated.connect(activated.append)
    tab.advanced.set_expanded(True)
    tab.advanced.epochs_spin.setValue(3)
    tab.advanced.block_boxes["repeat_3"].setChecked(False)
    assert tab.start()
    qtbot.waitUntil(lambda: not tab.training, timeout=WAIT_MS)
    assert recorded_errors.messages == []
    sent = backend.train_requests[-1]
    assert sent.epochs == 3 and sent.trainable_blocks == ("block8", "last_linear", "last_bn")

    assert len(tab.loss_plot.values()) == backend.train_steps
    figures = tab.metrics.figures()
    assert figures["Right person named first"] == ("85.0%", "89.0%", "+4.0 pts")
    assert figures["Recognised at 1% false alarms"] == ("70.0%", "75.0%", "+5.0 pts")
    assert figures["Suggested threshold"][:2] == ("0.550", "0.520")
    assert tab.verdict_label.text().startswith("Better")
    assert "fake run" in tab.notes_label.text()
    assert tab.candidate is not None and tab.candidate.id == 2
    assert tab.models_table.rowCount() == 2
    assert backend.active_model_id() == 1  # registered, not active

    assert tab.activate_button.isEnabled()
    tab.activate_button.click()
    qtbot.waitUntil(lambda: not tab.activating, timeout=WAIT_MS)
    assert recorded_errors.messages == []
    assert backend.activated == [2] and backend.active_model_id() == 2
    assert activated == ["fake model"]
    assert "Model 2 is active" in tab.phase_label.text()
    assert not tab.activate_button.isEnabled()  # the candidate is the active model now

    # rollback: activate the original model from the list
    tab.models_table.select_id(1)
    assert tab.rollback_button.isEnabled()
    tab.rollback_button.click()
    qtbot.waitUntil(lambda: not tab.activating, timeout=WAIT_MS)
    assert backend.activated == [2, 1] and backend.active_model_id() == 1


def test_worse_candidate_says_keep_and_discard_removes_it(qtbot, tab, backend, recorded_errors):
    backend.train_improves = False
    assert tab.start()
    qtbot.waitUntil(lambda: not tab.training, timeout=WAIT_MS)
    assert tab.verdict_label.text().startswith("Not better")
    assert "keep the current model" in tab.verdict_label.text()
    assert tab.metrics.figures()["Right person named first"][2] == "-5.0 pts"
    assert tab.discard_button.objectName() == "primaryButton"  # the recommended action
    assert tab.discard_button.isDefault() and not tab.activate_button.isDefault()
    assert tab.activate_button.objectName() != "primaryButton"
    tab.discard_button.click()
    assert backend.discarded == [2] and list(backend.registry) == [1]
    assert tab.candidate is None and tab.models_table.rowCount() == 1
    assert backend.activated == [] and recorded_errors.messages == []


def test_too_little_data_shows_the_services_reason(qtbot, recorded_errors):
    fake = FakeBackend()
    _enrol(fake, 2, 1)  # two people, one crop each
    runner = TaskRunner()
    widget = TrainingTab(runner, ErrorPresenter(None, recorded_errors))
    qtbot.addWidget(widget)
    widget.set_backend(fake)
    assert "(0 with 2 or more crops)" in widget.data_box.enrolled_count.text()
    # issue 13: Start is disabled with the reason shown, instead of a run that fails
    assert not widget.start_button.isEnabled()
    assert "at least 2 people with 2 or more face photos" in widget.start_reason.text()
    assert not widget.start_reason.isHidden()
    assert not widget.start()
    assert fake.train_requests == [] and recorded_errors.messages == []
    assert list(fake.registry) == [1]
    # nothing chosen to train on: refused before any job starts
    widget.data_box.enrolled_box.setChecked(False)
    assert not widget.start_button.isEnabled()
    assert not widget.start()


class _TwoNetworkBackend(FakeBackend):
    """Model 2 is an SFace model: the defaults follow the active model's network."""

    def training_defaults(self):
        if self.active_model_id() != 2:
            return super().training_defaults()
        blocks = ("conv_25", "conv_26", "conv_27", "bn_features", "linear", "bn_embedding")
        return (TrainingRequest(trainable_blocks=blocks), ("conv_24", *blocks))


def test_activating_a_model_of_another_network_shows_its_blocks(qtbot, recorded_errors):
    backend = _TwoNetworkBackend()
    _enrol(backend, 3, 3)
    runner = TaskRunner()
    tab = TrainingTab(runner, ErrorPresenter(None, recorded_errors), confirm=lambda t, x: True)
    qtbot.addWidget(tab)
    tab.set_backend(backend)
    assert "repeat_3" in tab.advanced.block_boxes
    assert tab.start()
    qtbot.waitUntil(lambda: not tab.training, timeout=WAIT_MS)
    tab.activate_button.click()  # candidate 2 is the SFace-architecture model here
    qtbot.waitUntil(lambda: not tab.activating, timeout=WAIT_MS)
    assert recorded_errors.messages == []
    assert "repeat_3" not in tab.advanced.block_boxes and "conv_24" in tab.advanced.block_boxes
    assert tab.request().trainable_blocks[0] == "conv_25"
    assert tab.start()  # and it trains with them
    qtbot.waitUntil(lambda: not tab.training, timeout=WAIT_MS)
    assert backend.train_requests[-1].trainable_blocks[0] == "conv_25"
    runner.wait_for_done(5000)
