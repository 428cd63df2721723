"""Package the Chalice app for the CDK construct without writing into the repository.

`chalice.cdk.Chalice` packages from `source_dir` and writes `chalice.out/` under the *current
directory*, plus its package cache under `<source_dir>/.chalice/deployments`. So the app is staged
into a build directory (inside the CDK out dir) and packaged from there.
"""

from __future__ import annotations

import contextlib
import os
import shutil
from pathlib import Path
from typing import Iterator

PROJECT_DIR = Path(__file__).resolve().parents[2]
# What Chalice puts into the Lambda package: app.py, chalicelib/, the config, requirements.txt.
_APP_FILES = ("app.py", "requirements.txt", ".chalice/config.json")
_APP_DIRS = ("chalicelib",)


def stage_app_source(build_dir: Path, *, bundle_dependencies: bool = True) -> Path:
    """Copy the app into build_dir (keeping Chalice's package cache there) and return it.

    Without bundle_dependencies the staged requirements.txt is empty: the template is the same but
    the package holds only our code, so tests synthesise quickly without downloading Lambda wheels.
    """
    build_dir.mkdir(parents=True, exist_ok=True)
    for name in _APP_DIRS:
        shutil.rmtree(build_dir / name, ignore_errors=True)
        shutil.copytree(
            PROJECT_DIR / name,
            build_dir / name,
            ignore=shutil.ignore_patterns("__pycache__", "*.pyc", "local"),
        )
    for name in _APP_FILES:
        target = build_dir / name
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(PROJECT_DIR / name, target)
    if not bundle_dependencies:
        (build_dir / "requirements.txt").write_text("")
    return build_dir


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
