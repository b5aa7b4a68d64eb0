"""macOS Location permission: asked for once, only when undecided (fake CoreLocation module)."""

from __future__ import annotations

import sys
import types

import pytest

from survey.scan.backends import corewlan


@pytest.fixture
def fake_corelocation(monkeypatch):
    requests = []

    class Manager:
        status = 0

        @classmethod
        def authorizationStatus(cls):
            return cls.status

        @classmethod
        def alloc(cls):
            return cls()

        def init(self):
            return self

        def requestWhenInUseAuthorization(self):
            requests.append(self)

    module = types.SimpleNamespace(CLLocationManager=Manager)
    monkeypatch.setitem(sys.modules, "CoreLocation", module)
    monkeypatch.setattr(corewlan, "_location_manager", None)
    return Manager, requests


def test_undecided_permission_is_requested_once_and_the_manager_kept(fake_corelocation):
    manager, requests = fake_corelocation
    corewlan.CoreWlanScanner()
    corewlan.CoreWlanScanner()
    assert len(requests) == 1
    assert corewlan._location_manager is requests[0]


@pytest.mark.parametrize("status", [2, 3, 4])
def test_decided_permission_is_not_asked_again(fake_corelocation, status):
    manager, requests = fake_corelocation
    manager.status = status
    corewlan.CoreWlanScanner()
    assert requests == []
