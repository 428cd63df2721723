"""Synthesise each force's stack once per test session (jsii synth costs seconds each)."""

from __future__ import annotations

import json
import os

import pytest

from . import federation_samples

FORCES = ("met", "wiltshire")
# Test-only forces that sign in with their own identity provider: the shipped wiltshire.json plus a
# federation object, in a folder of their own (the shipped configs stay without one).
FEDERATIONS = {
    "saml": federation_samples.saml(name="WiltsEntra"),
    "oidc": federation_samples.oidc(name="WiltsEntraOidc"),
}


@pytest.fixture(scope="session")
def synthesised(tmp_path_factory):
    """force -> (ForceConfig, template dict). cdk-nag runs during synth: an error fails here."""
    os.environ.setdefault("JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION", "20")
    from infra.force_config import load_force_config
    from infra.synth import synthesise

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


@pytest.fixture(scope="session")
def federated(tmp_path_factory):
    """"saml"/"oidc" -> (ForceConfig, template dict) of wiltshire with that federation."""
    os.environ.setdefault("JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION", "20")
    from infra.force_config import CONFIG_DIR, load_force_config
    from infra.synth import synthesise

    result = {}
    for kind, federation in FEDERATIONS.items():
        config_dir = tmp_path_factory.mktemp(f"config-{kind}")
        raw = json.loads((CONFIG_DIR / "wiltshire.json").read_text())
        raw["federation"] = federation
        (config_dir / "wiltshire.json").write_text(json.dumps(raw))
        path = synthesise("wiltshire", "prod", tmp_path_factory.mktemp(f"cdk-{kind}"),
                          bundle_dependencies=False, config_dir=config_dir)
        result[kind] = (load_force_config("wiltshire", config_dir=config_dir), json.loads(path.read_text()))
    return result
