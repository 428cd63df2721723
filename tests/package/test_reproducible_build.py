"""Reproducible builds: the lock that pins what the package holds."""

from __future__ import annotations

import pytest

from infra.lock import LOCK, REQUIREMENTS, read_pins, resolve

pytestmark = pytest.mark.package


def test_a_fresh_resolution_of_requirements_txt_under_the_lock_is_the_lock():
    """pip resolves requirements.txt against the index with the lock as constraints: anything it
    pulls in that the lock does not pin (a new dependency of a new release) would show up here."""
    assert resolve(REQUIREMENTS, constraints=LOCK) == read_pins(LOCK)

