"""Package the Chalice app for the CDK construct without writing into the repository.

`chalice.cdk.Chalice` packages from `source_dir` and writes `chalice.out/` under the *current
directory*, plus its package cache under `<source_dir>/.chalice/deployments`. So the app is staged
into a build directory (inside the CDK out dir) and packaged from there. `ChaliceWithBytecode` then
adds the bytecode of everything Chalice bundled (`add_bytecode_to_package`) before CDK takes the zip.
"""

from __future__ import annotations

import compileall
import contextlib
import os
import py_compile
import shutil
import sys
import tempfile
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from chalice.cdk import Chalice

from ..lock import stale

PROJECT_DIR = Path(__file__).resolve().parents[2]
# What Chalice puts into the Lambda package: app.py, chalicelib/, the config, and the dependencies
# of the requirements.txt it finds (staged from requirements.lock: every version pinned).
_APP_FILES = ("app.py", ".chalice/config.json")
_APP_DIRS = ("chalicelib",)
STATIC_DIR = Path("chalicelib") / "web" / "static"
# Where Lambda unpacks the package: the file names the shipped bytecode records (tracebacks).
LAMBDA_TASK_ROOT = "/var/task"
# What the pages serve from STATIC_DIR (chalicelib/api/pages.py). The .js bundles are built from
# frontend/ by `make bundle` and not committed, so a clean clone has none until make builds them.
REQUIRED_STATIC = ("citizen.css", "staff.css", "officer.js", "sergeant.js", "control.js", "sergeant-sw.js")


class StaleLock(RuntimeError):
    """requirements.lock is missing or no longer matches requirements.txt."""


class MissingStaticAssets(RuntimeError):
    """The app's static files are missing or empty: its package would serve the pages without them."""


def check_static_assets(project_dir: Path = PROJECT_DIR) -> None:
    """Raise MissingStaticAssets unless every file the pages serve is there and not empty."""
    missing = [name for name in REQUIRED_STATIC
               if not (project_dir / STATIC_DIR / name).is_file()
               or (project_dir / STATIC_DIR / name).stat().st_size == 0]
    if missing:
        raise MissingStaticAssets(
            f"{', '.join(missing)} missing or empty in {project_dir / STATIC_DIR}: the staff pages would ship "
            "without their JavaScript. Build them with `make bundle` (`make package`, `make synth` and "
            "`make deploy` do it first)."
        )


def stage_app_source(build_dir: Path, *, bundle_dependencies: bool = True, project_dir: Path = PROJECT_DIR) -> Path:
    """Copy the app into build_dir (keeping Chalice's package cache there) and return it.

    Refuses (MissingStaticAssets) an app whose static bundles are missing, so no package without the
    staff pages' JavaScript can be produced.

    The staged requirements.txt (what Chalice bundles) is requirements.lock, so every version in the
    package is pinned. Without bundle_dependencies it is empty: the template is the same but the
    package holds only our code, so tests synthesise quickly without downloading Lambda wheels.
    """
    check_static_assets(project_dir)
    requirements = locked_requirements(project_dir) if bundle_dependencies else ""
    build_dir.mkdir(parents=True, exist_ok=True)
    for name in _APP_DIRS:
        shutil.rmtree(build_dir / name, ignore_errors=True)
        shutil.copytree(
            project_dir / name,
            build_dir / name,
            ignore=shutil.ignore_patterns("__pycache__", "*.pyc", "local"),
        )
    for name in _APP_FILES:
        target = build_dir / name
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(project_dir / name, target)
    (build_dir / "requirements.txt").write_text(requirements)
    return build_dir


class BytecodeMismatch(RuntimeError):
    """The Python building the package is not the Lambda runtime's: its bytecode would not load there."""


def building_python() -> str:
    """The Python running this build, named as Lambda names runtimes ("python3.11")."""
    return f"python{sys.version_info.major}.{sys.version_info.minor}"


def compile_bytecode(directory: Path, runtime: str, shipped_as: str) -> None:
    """Write the bytecode of every module under `directory` into its __pycache__, for `runtime`.

    /var/task is read-only in Lambda, so a package without bytecode recompiles every module it
    imports on every cold start (~60 ms for chalicelib, ~500 ms with its dependencies). The .pyc
    files are only valid for the Python minor version that wrote them (the magic number), so this
    refuses another version (the Makefile already builds with the runtime's Python). They are
    hash-checked, not timestamp-checked: a zip keeps mtimes to 2 s and Lambda's unpacking need not
    keep them at all, and the bytes then depend only on the sources (reproducible builds). Checked,
    not unchecked: a source edited in place (the console editor) is recompiled rather than ignored.
    """
    building = building_python()
    if building != runtime:
        raise BytecodeMismatch(f"{building} cannot write bytecode for the {runtime} runtime: build with {runtime}")
    ok = compileall.compile_dir(str(directory), ddir=shipped_as, quiet=1, workers=1, optimize=0,
                                invalidation_mode=py_compile.PycInvalidationMode.CHECKED_HASH)
    if not ok:
        raise SyntaxError(f"{directory}: a module does not compile")


# Added entries get a fixed time, so one source tree always packs to the same bytes (one asset hash).
_FIXED_ZIP_TIME = (1980, 1, 1, 0, 0, 0)


def add_bytecode_to_package(deployment_zip: Path, runtime: str) -> int:
    """Add a hash-checked .pyc for every module in the Lambda package that has none; return how many.

    Chalice unpacks the dependencies (boto3, botocore, Powertools, pydantic...) from wheels, which
    hold no bytecode, and /var/task is read-only: without this, every cold start compiles each
    dependency module it imports again (measured: `import app`, boto3 and one client took about
    1,000 ms of CPU from the bare package against about 470 ms with bytecode). The sources are
    compiled in a scratch folder and only their .pyc files are appended: what Chalice wrote stays
    byte for byte where it was, and is neither read back nor rewritten.
    """
    with tempfile.TemporaryDirectory() as tmp:
        unpacked = Path(tmp)
        with zipfile.ZipFile(deployment_zip) as archive:
            present = set(archive.namelist())
            archive.extractall(unpacked, members=sorted(name for name in present if name.endswith(".py")))
        compile_bytecode(unpacked, runtime, LAMBDA_TASK_ROOT)
        compiled = (path.relative_to(unpacked).as_posix() for path in unpacked.rglob("*.pyc"))
        added = sorted(name for name in compiled if name not in present)
        with zipfile.ZipFile(deployment_zip, "a", compression=zipfile.ZIP_DEFLATED) as archive:
            for name in added:
                info = zipfile.ZipInfo(name, date_time=_FIXED_ZIP_TIME)
                info.external_attr = 0o644 << 16
                info.compress_type = zipfile.ZIP_DEFLATED
                archive.writestr(info, (unpacked / name).read_bytes())
    return len(added)


class ChaliceWithBytecode(Chalice):
    """Chalice's CDK construct, with the bundled modules' bytecode added to its Lambda package.

    `_package_app` is where the construct runs `chalice package`, before it makes the zip a CDK
    asset (hashed and copied at once): the only point at which the zip can still change. Chalice is
    pinned (requirements.lock), and tests/package checks that the package built this way has the
    bytecode, so a Chalice release that moves this step fails there, not in Lambda.
    """

    def __init__(self, *args: Any, runtime: str, **kwargs: Any) -> None:
        self._runtime = runtime
        super().__init__(*args, **kwargs)

    def _package_app(self) -> None:
        super()._package_app()
        add_bytecode_to_package(Path(self._sam_package_dir) / "deployment.zip", self._runtime)


def locked_requirements(project_dir: Path = PROJECT_DIR) -> str:
    """requirements.lock's text, once it is known to match requirements.txt (else StaleLock)."""
    lock = project_dir / "requirements.lock"
    problems = stale(project_dir / "requirements.txt", lock)
    if problems:
        raise StaleLock("; ".join(problems) + ": run `make lock` (then `make install`) and commit requirements.lock")
    return lock.read_text(encoding="utf-8")


@contextlib.contextmanager
def packaging_scope(path: Path) -> Iterator[None]:
    """Run Chalice's packaging inside `path`, leaving the process as it was.

    The construct writes chalice.out/ into the current directory, and packaging copies the stage's
    environment variables (CDK tokens here) into os.environ: both are put back afterwards.
    """
    previous_dir, previous_env = os.getcwd(), dict(os.environ)
    os.chdir(path)
    try:
        yield
    finally:
        os.chdir(previous_dir)
        os.environ.clear()
        os.environ.update(previous_env)
