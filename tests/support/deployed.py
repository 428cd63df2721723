"""The synthesised CloudFormation template the tests hold the code to (what `make synth` builds).

Synthesised once per content of infra/ and app.py (a few seconds of jsii), in a subprocess so the
CDK's environment changes never reach the test process, and shared by pytest-xdist workers through
a file lock on a cache folder keyed by that content.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
import subprocess
import sys
import tempfile
from functools import lru_cache
from pathlib import Path
from typing import Any

PROJECT = Path(__file__).resolve().parents[2]
FORCE, STAGE = "met", "prod"


def _inputs() -> list[Path]:
    infra = sorted(p for p in (PROJECT / "infra").rglob("*") if p.suffix in (".py", ".json") and p.is_file())
    return [*infra, PROJECT / "app.py", PROJECT / ".chalice" / "config.json"]


def _content_key() -> str:
    digest = hashlib.sha256()
    for path in _inputs():
        digest.update(str(path.relative_to(PROJECT)).encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


@lru_cache(maxsize=1)
def deployed_template() -> dict[str, Any]:
    """The met/prod template, as `python infra/app.py` synthesises it (Lambda wheels left out)."""
    folder = Path(tempfile.gettempdir()) / "safe-connection-tests" / f"template-{_content_key()}"
    folder.mkdir(parents=True, exist_ok=True)
    template = folder / "template.json"
    with open(folder / "lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not template.exists():
            outdir = folder / "cdk.out"
            env = dict(os.environ, FORCE=FORCE, STAGE=STAGE, CDK_OUTDIR=str(outdir), BUNDLE_DEPENDENCIES="0",
                       JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION="20")
            result = subprocess.run([sys.executable, "infra/app.py"], cwd=PROJECT, env=env,
                                    capture_output=True, text=True, timeout=300)
            if result.returncode != 0:
                raise RuntimeError(f"synth failed:\n{result.stdout[-2000:]}\n{result.stderr[-4000:]}")
            produced = outdir / f"SafeConnection-{FORCE}-{STAGE}.template.json"
            tmp = folder / "template.json.tmp"
            tmp.write_text(produced.read_text())
            tmp.replace(template)
    return json.loads(template.read_text())
