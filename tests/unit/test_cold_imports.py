"""What a new Lambda container imports before its first request (issue 17): the routes, not every
use case. A citizen's look-up and a timer never need pydantic, the request models or PyJWT; each
of those is imported by the first request that needs it (chalicelib/api/lazy.py)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

PROJECT = Path(__file__).resolve().parents[2]

PROBE = r"""
import json, sys
import app
from chalicelib.settings import Settings
Settings.from_env()
heavy = ("pydantic", "chalicelib.schemas", "jwt", "cryptography", "chalicelib.services.deciding",
         "chalicelib.services.starting", "chalicelib.services.registry", "chalicelib.services.control_room",
         "chalicelib.services.auditing", "chalicelib.services.timers", "chalicelib.services.citizen_unsafe",
         "chalicelib.services.check_requests", "aws_lambda_powertools.utilities.idempotency")
print(json.dumps(sorted(name for name in sys.modules if name.split(".")[0] in {h.split(".")[0] for h in heavy}
                        and any(name == h or name.startswith(h + ".") for h in heavy))))
"""


def test_import_app_and_reading_settings_load_no_pydantic_no_token_crypto_no_other_use_case():
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    env.update({"AWS_DEFAULT_REGION": "eu-west-2", "AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing"})
    result = subprocess.run([sys.executable, "-c", PROBE], cwd=PROJECT, env=env, capture_output=True, text=True,
                            timeout=120, check=True)
    assert json.loads(result.stdout.strip().splitlines()[-1]) == []


def test_a_lazily_bound_use_case_is_the_real_one_once_used():
    from chalicelib.api import verifications
    from chalicelib.api.lazy import LazyName, resolved
    from chalicelib.schemas import StartVerificationRequest
    from chalicelib.services import starting

    assert isinstance(verifications.StartVerificationRequest, LazyName)
    assert resolved(verifications.StartVerificationRequest) is StartVerificationRequest
    assert verifications.starting.start_verification is starting.start_verification
    assert resolved(StartVerificationRequest) is StartVerificationRequest
