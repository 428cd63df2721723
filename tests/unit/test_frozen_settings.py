"""Settings are validated without pydantic (chalicelib/frozen_settings.py): types from environment
strings, bounds, the secret kept out of reprs, frozen instances and validated copies."""

from __future__ import annotations

import pytest

from chalicelib.frozen_settings import SecretStr
from chalicelib.settings import Settings


def test_environment_strings_become_the_declared_types():
    settings = Settings.from_env({"WAVE_SIZE": "2", "JWKS_URL": "https://keys.example/jwks.json",
                                  "RATE_LIMIT_KEY": "k" * 40, "AWS_DEFAULT_REGION": "eu-west-1"})
    assert settings.wave_size == 2 and isinstance(settings.wave_size, int)
    assert settings.jwks_url == "https://keys.example/jwks.json" and settings.region == "eu-west-1"
    assert settings.rate_limit_key == SecretStr("k" * 40)
    assert "k" * 40 not in repr(settings)
    assert Settings.from_env({}).rate_limit_key is None and Settings.from_env({}).wave_size == 3


@pytest.mark.parametrize(("variable", "value", "named"), [
    ("WAVE_SIZE", "0", "wave_size: must be at least 1"),
    ("WAVE_SIZE", "51", "wave_size: must be at most 50"),
    ("REGISTRY_CACHE_SECONDS", "sixty", "registry_cache_seconds: must be a whole number"),
    ("DEFAULT_LANGUAGE", "fr", "default_language: must match"),
    ("RATE_LIMIT_KEY", "short", "rate_limit_key: must be at least 32 characters"),
    ("AUTHENTICATOR_LABEL", "x" * 61, "authenticator_label: must be at most 60 characters"),
])
def test_a_value_out_of_its_bounds_is_refused_by_name(variable, value, named):
    with pytest.raises(ValueError, match=named):
        Settings.from_env({variable: value})


def test_settings_are_frozen_and_copies_are_validated():
    settings = Settings()
    with pytest.raises(AttributeError):
        settings.region = "us-east-1"
    copy = settings.model_copy(update={"max_starts_per_hour": 1000})
    assert copy.max_starts_per_hour == 1000 and settings.max_starts_per_hour == 6
    assert copy != settings and settings == Settings() and hash(settings) == hash(Settings())
    with pytest.raises(ValueError, match="max_starts_per_hour"):
        settings.model_copy(update={"max_starts_per_hour": 1001})
    with pytest.raises(ValueError, match="unknown settings"):
        Settings(wave_sise=2)
    with pytest.raises(ValueError, match="must be a whole number"):
        Settings(wave_size=True)
    assert "wave_size" in Settings.model_fields and "model_fields" not in Settings.model_fields
