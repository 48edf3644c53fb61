"""The real ServicesBackend and the tests' FakeBackend implement the same per-tab Protocols
(gui/backend_protocols.py) with the same method signatures, so the fake cannot drift from the
backend the app really uses (issue 13 Structure, issue 14 item 16)."""

from __future__ import annotations

import inspect

import pytest

from attendance_app.gui.backend import GuiBackend
from attendance_app.gui.backend_protocols import TAB_PROTOCOLS
from attendance_app.gui.services_backend import ServicesBackend
from tests.gui.fake_backend import FakeBackend


def _protocol_methods(protocol: type) -> dict[str, inspect.Signature]:
    return {name: inspect.signature(fn) for name, fn in vars(protocol).items()
            if inspect.isfunction(fn) and not name.startswith("_")}


def _shape(signature: inspect.Signature) -> list[tuple[str, object, object]]:
    """Parameter names, kinds and defaults: what a caller relies on (annotations aside)."""
    return [(p.name, p.kind, p.default) for p in signature.parameters.values()]


CASES = [(proto, name) for proto in TAB_PROTOCOLS for name in _protocol_methods(proto)]


@pytest.mark.parametrize("implementation", [ServicesBackend, FakeBackend])
@pytest.mark.parametrize("protocol,method", CASES,
                         ids=[f"{p.__name__}.{m}" for p, m in CASES])
def test_every_backend_implements_each_protocol_method_with_its_signature(
        implementation, protocol, method):
    expected = _protocol_methods(protocol)[method]
    found = getattr(implementation, method, None)
    assert found is not None, f"{implementation.__name__} lacks {protocol.__name__}.{method}"
    assert _shape(inspect.signature(found)) == _shape(expected), (
        f"{implementation.__name__}.{method}{inspect.signature(found)} differs from "
        f"{protocol.__name__}.{method}{expected}")


def test_the_real_backend_has_no_public_method_outside_the_protocols():
    declared = {name for proto in TAB_PROTOCOLS for name in _protocol_methods(proto)}
    public = {name for name, fn in inspect.getmembers(ServicesBackend, inspect.isfunction)
              if not name.startswith("_")}
    assert public - declared == set()


def test_gui_backend_is_the_union_of_the_tab_protocols():
    assert set(GuiBackend.__mro__) >= set(TAB_PROTOCOLS)
