"""The README's walk-through, run as written against the stack `make run` starts."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest

pytestmark = pytest.mark.e2e

PROJECT = Path(__file__).resolve().parents[2]


def test_readme_walkthrough_runs_as_pasted(live_stack):
    readme = (PROJECT / "README.md").read_text()
    script = re.search(r"## Walk-through.*?```bash\n(.*?)```", readme, re.S).group(1)
    result = subprocess.run(
        ["bash", "-euo", "pipefail", "-c", script],
        cwd=PROJECT,
        env={"PATH": f"{PROJECT / '.venv' / 'bin'}:/usr/bin:/bin", "STACK": str(live_stack.state_dir / "stack.json")},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr + result.stdout
    out = result.stdout
    reference = re.search(r"reference for the citizen: (SC-[A-Z0-9-]+)", out).group(1)
    assert '"code":"already_accepted"' in out
    assert '"status":"confirmed"' in out and reference in out
    assert re.search(r"\d+ events, chain intact", out)
    assert re.search(r"^INTACT: \d+ events in \d+ chains, 1 digests checked$", out, re.M), out
    for step in ("verification.requested", "sergeants.notified", "sms.sent", "verification.accepted",
                 "registry.disclosed", "verification.confirmed"):
        assert step in out
