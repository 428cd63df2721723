"""Reproducible builds: the Python that builds the package, and the lock that pins what it holds."""

from __future__ import annotations

import os
import subprocess

import pytest

from infra.lock import LOCK, REQUIREMENTS, read_pins, resolve

from .shipped import PROJECT_DIR

pytestmark = pytest.mark.package


def test_a_fresh_resolution_of_requirements_txt_under_the_lock_is_the_lock():
    """pip resolves requirements.txt against the index with the lock as constraints: anything it
    pulls in that the lock does not pin (a new dependency of a new release) would show up here."""
    assert resolve(REQUIREMENTS, constraints=LOCK) == read_pins(LOCK)


def test_make_refuses_another_python_before_it_creates_the_venv(tmp_path):
    venv = tmp_path / "venv"
    env = {k: v for k, v in os.environ.items() if k not in ("MAKEFLAGS", "MFLAGS")}
    result = subprocess.run(
        ["make", "--no-print-directory", "-C", str(PROJECT_DIR), "install", f"VENV={venv}", "PYTHON_VERSION=3.10"],
        env=env, capture_output=True, text=True, timeout=60,
    )
    assert result.returncode != 0
    assert "needs Python 3.10" in result.stderr and "the runtime its Lambda package is built for" in result.stderr
    assert not venv.exists()
