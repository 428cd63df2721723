"""The service tests on fakes run without moto: checked in a fresh interpreter, because in the
whole suite other tests import moto into the same process first.

A use case reaching for an adapter that has no fake fails on its own (tests/fakes/dependencies.py
refuses to build AWS clients); this also catches moto imported by a fake, a factory or a conftest.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
ON_FAKES = sorted(Path(__file__).parent.glob("test_*_on_fakes.py"))

RUN = """
import sys, pytest
code = pytest.main(["-q", "-n", "0", "-p", "no:cacheprovider", *sys.argv[1:]])
loaded = sorted(name for name in sys.modules if name == "moto" or name.startswith("moto."))
print("MOTO_LOADED", loaded)
sys.exit(int(code) or (3 if loaded else 0))
"""


def test_the_service_tests_on_fakes_pass_without_importing_moto():
    assert len(ON_FAKES) >= 10, ON_FAKES

    run = subprocess.run([sys.executable, "-c", RUN, *map(str, ON_FAKES)], cwd=ROOT,
                         capture_output=True, text=True, timeout=300)

    assert "MOTO_LOADED []" in run.stdout, run.stdout[-3000:] + run.stderr[-2000:]
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-2000:]
