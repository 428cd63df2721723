"""requirements.lock pins every distribution the Lambda package holds, and the tests run those versions.

Offline: requirements.txt's requirements are followed through the installed distributions' metadata
(what pip resolved for the dev install, which is constrained by the lock). tests/package checks the
same against a fresh pip resolution and against the built package itself.
"""

from __future__ import annotations

from importlib import metadata
from pathlib import Path

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

from infra.lock import LOCK, REQUIREMENTS, read_pins

ROOT = Path(__file__).resolve().parents[2]


def _closure(roots: list[Requirement]) -> dict[str, str]:
    """Every installed distribution the roots need (markers evaluated here: Python 3.11 on Linux)."""
    found: dict[str, str] = {}
    pending = [(r, ()) for r in roots]
    while pending:
        requirement, extras = pending.pop()
        if requirement.marker and not any(
            requirement.marker.evaluate({"extra": e}) for e in (extras or ("",))
        ):
            continue
        name = canonicalize_name(requirement.name)
        dist = metadata.distribution(requirement.name)
        wanted = tuple(requirement.extras)
        if name in found and not wanted:
            continue
        found[name] = dist.version
        for child in dist.requires or []:
            pending.append((Requirement(child), wanted))
    return found


def test_the_lock_is_where_the_package_build_reads_it():
    assert LOCK == ROOT / "requirements.lock" and REQUIREMENTS == ROOT / "requirements.txt"


def test_requirements_txt_pins_are_the_locks():
    direct = {canonicalize_name(Requirement(line).name): str(Requirement(line).specifier)
              for line in REQUIREMENTS.read_text().splitlines() if line.strip() and not line.startswith("#")}
    locked = read_pins(LOCK)
    assert {name: f"=={locked.get(name)}" for name in direct} == direct, "requirements.lock is stale: run `make lock`"


def test_the_lock_covers_everything_requirements_txt_pulls_in_and_nothing_else():
    roots = [Requirement(line) for line in REQUIREMENTS.read_text().splitlines()
             if line.strip() and not line.startswith("#")]
    needed = _closure(roots)
    locked = read_pins(LOCK)
    assert sorted(set(needed) - set(locked)) == [], "not pinned in requirements.lock: run `make lock`"
    assert sorted(set(locked) - set(needed)) == [], "pinned but not needed by requirements.txt: run `make lock`"


def test_the_dev_install_runs_the_locked_versions():
    locked = read_pins(LOCK)
    installed = {name: metadata.version(name) for name in locked}
    assert installed == locked, "the virtualenv differs from requirements.lock: run `make install`"
