"""Synthesise each force's stack once per test session (jsii synth costs seconds each)."""

from __future__ import annotations

import json
import os

import pytest

FORCES = ("met", "wiltshire")


@pytest.fixture(scope="session")
def synthesised(tmp_path_factory):
    """force -> (ForceConfig, template dict). cdk-nag runs during synth: an error fails here."""
    os.environ.setdefault("JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION", "20")
    from infra.synth import synthesise
    from infra.force_config import load_force_config

    result = {}
    for force in FORCES:
        outdir = tmp_path_factory.mktemp(f"cdk-{force}")
        # Lambda wheels are not needed to check the template: package only our code.
        path = synthesise(force, "prod", outdir, bundle_dependencies=False)
        result[force] = (load_force_config(force), json.loads(path.read_text()))
    return result


@pytest.fixture(scope="session")
def met(synthesised):
    return synthesised["met"]
