"""CDK app: `python infra/app.py` synthesises one force's stack offline (no CDK CLI, no AWS).

FORCE (default met) and STAGE (default prod) pick infra/config/<force>.json and its stage;
CDK_OUTDIR (default cdk.out) is where the cloud assembly goes. cdk-nag's AWS Solutions checks run
during synthesis: an unacknowledged error fails it.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

os.environ.setdefault("JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION", "20")

_INFRA_DIR = Path(__file__).resolve().parent
# Run as a script, this folder is first on sys.path, and its app.py would shadow the Chalice app
# that the construct imports as `app`: put the project root there instead.
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != _INFRA_DIR]
sys.path.insert(0, str(_INFRA_DIR.parent))

from infra.synth import synthesise  # noqa: E402


def main() -> int:
    force = os.environ.get("FORCE") or "met"
    stage = os.environ.get("STAGE") or "prod"
    outdir = Path(os.environ.get("CDK_OUTDIR") or "cdk.out")
    bundle = os.environ.get("BUNDLE_DEPENDENCIES", "1") != "0"
    template = synthesise(force, stage, outdir, bundle_dependencies=bundle)
    print(f"Synthesised {template}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
