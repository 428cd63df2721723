"""What a new Lambda container imports before its first request (issue 17): the routes, not every
use case. A citizen's look-up and a timer never need pydantic, the request models or PyJWT; each
of those is imported by the first request that needs it (chalicelib/api/lazy.py). An officer's
first start validates its body in plain Python (chalicelib/schemas/start_body.py): no pydantic,
not even pydantic-core, and no request model."""

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
heavy = ("pydantic", "pydantic_core", "chalicelib.schemas.base", "chalicelib.schemas.start",
         "chalicelib.schemas.decisions", "chalicelib.schemas.registry", "chalicelib.schemas.control",
         "chalicelib.schemas.citizen", "jwt", "cryptography", "chalicelib.services.deciding",
         "chalicelib.services.starting", "chalicelib.services.registry", "chalicelib.services.control_room",
         "chalicelib.services.auditing", "chalicelib.services.timers", "chalicelib.services.citizen_unsafe",
         "chalicelib.services.check_requests", "aws_lambda_powertools.utilities.idempotency")
print(json.dumps(sorted(name for name in sys.modules if name.split(".")[0] in {h.split(".")[0] for h in heavy}
                        and any(name == h or name.startswith(h + ".") for h in heavy))))
"""


# What the start route reaches once `import app` is done: its use case, its body's validation and
# the presenter of its 201 (a start without an Idempotency-Key, as an officer's phone sends it first).
START_PROBE = r"""
import json, sys
import app
from chalicelib.api import presenters, verifications
from chalicelib.api.requests import json_object
from chalicelib.services import starting
class Request:
    raw_body = b'{"location": {"lat": 51.539, "lon": -0.1426, "accuracy_m": 10}, "area": "Camden High St"}'
body = verifications.parse_start_body(json_object(Request()))
assert body.location.lat == 51.539 and presenters.started_body
print(json.dumps(sorted(name for name in sys.modules if name.startswith("chalicelib.") or name == "chalicelib"
                        or name.startswith("aws_lambda_powertools.utilities")
                        or name.split(".")[0] in ("pydantic", "pydantic_core"))))
"""


def _probe(code: str) -> list[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    env.update({"AWS_DEFAULT_REGION": "eu-west-2", "AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing"})
    result = subprocess.run([sys.executable, "-c", code], cwd=PROJECT, env=env, capture_output=True, text=True,
                            timeout=120, check=True)
    loaded: list[str] = json.loads(result.stdout.strip().splitlines()[-1])
    return loaded


def test_import_app_and_reading_settings_load_no_pydantic_no_token_crypto_no_other_use_case():
    assert _probe(PROBE) == []


def test_the_start_route_loads_no_pydantic_not_even_its_core_no_request_model_and_no_other_use_case():
    loaded = set(_probe(START_PROBE))
    assert {name for name in loaded if name.startswith("chalicelib.schemas.")} == {
        "chalicelib.schemas.start_body", "chalicelib.schemas.rules", "chalicelib.schemas.views"}
    assert not any(name.split(".")[0] in ("pydantic", "pydantic_core") for name in loaded)
    others = {"chalicelib.services." + name for name in (
        "deciding", "registry", "control_room", "auditing", "timers", "citizen_unsafe", "check_requests",
        "handing_back", "erasure", "registry_import", "audit_copy", "audit_reconcile", "audit_quarantine")}
    assert loaded & others == set()
    assert not any(name.startswith("aws_lambda_powertools.utilities.idempotency") for name in loaded)


def test_a_lazily_bound_use_case_is_the_real_one_once_used():
    from chalicelib.api import verifications
    from chalicelib.api.lazy import LazyName, resolved
    from chalicelib.schemas import OutcomeRequest
    from chalicelib.schemas.decisions import OutcomeRequest as defined
    from chalicelib.schemas.start_body import parse_start_body
    from chalicelib.services import starting

    assert isinstance(verifications.OutcomeRequest, LazyName)
    assert resolved(verifications.OutcomeRequest) is OutcomeRequest is defined
    assert resolved(verifications.parse_start_body) is parse_start_body
    assert verifications.starting.start_verification is starting.start_verification


def test_import_app_freezes_what_it_imported_and_leaves_the_collector_on():
    probe = "import gc, json, app\nprint(json.dumps([gc.isenabled(), gc.get_freeze_count()]))"
    enabled, frozen = _probe(probe)
    assert enabled is True and frozen > 10_000


# What a timer's first message reaches: the timer use cases and the sending of waves, not the start.
TIMER_PROBE = r"""
import json, sys
import app
from chalicelib.api import timers
from chalicelib.services import timers as timer_use_cases
assert timers.handle_timer_messages and timer_use_cases.handle_timer
print(json.dumps(sorted(name for name in sys.modules if name.startswith("chalicelib.services.")
                        or name.split(".")[0] in ("pydantic", "pydantic_core"))))
"""


def test_a_timer_loads_the_waves_it_sends_not_the_start_nor_pydantic():
    loaded = set(_probe(TIMER_PROBE))
    assert "chalicelib.services.notifying" in loaded
    assert not loaded & {"chalicelib.services.starting", "chalicelib.services.public", "chalicelib.services.deciding"}
    assert not any(name.split(".")[0] in ("pydantic", "pydantic_core") for name in loaded)
