"""Staging the app for packaging: a package without the staff pages' JavaScript is never produced."""

from __future__ import annotations

from pathlib import Path

import pytest

from infra.stacks import chalice_source
from infra.stacks.chalice_source import stage_app_source

pytestmark = pytest.mark.infra

STATIC = Path("chalicelib/web/static")


def app_tree(root: Path, static: tuple[str, ...]) -> Path:
    """The smallest tree stage_app_source copies from, with these static files."""
    (root / ".chalice").mkdir(parents=True)
    (root / ".chalice" / "config.json").write_text("{}")
    (root / "app.py").write_text("")
    (root / "requirements.txt").write_text("")
    (root / STATIC).mkdir(parents=True)
    for name in static:
        (root / STATIC / name).write_text("/* built */")
    return root


def test_staging_refuses_an_app_whose_bundles_are_missing(tmp_path):
    source = app_tree(tmp_path / "src", ("citizen.css", "staff.css", "sergeant.js"))
    with pytest.raises(chalice_source.MissingStaticAssets, match=r"officer\.js.*make bundle"):
        stage_app_source(tmp_path / "build", bundle_dependencies=False, project_dir=source)
    assert not (tmp_path / "build" / "app.py").exists()


def test_staging_refuses_an_empty_bundle(tmp_path):
    source = app_tree(tmp_path / "src", chalice_source.REQUIRED_STATIC)
    (source / STATIC / "sergeant.js").write_text("")
    with pytest.raises(chalice_source.MissingStaticAssets, match=r"sergeant\.js"):
        stage_app_source(tmp_path / "build", bundle_dependencies=False, project_dir=source)


def test_staging_copies_an_app_with_every_bundle(tmp_path):
    source = app_tree(tmp_path / "src", chalice_source.REQUIRED_STATIC)
    staged = stage_app_source(tmp_path / "build", bundle_dependencies=False, project_dir=source)
    assert sorted(p.name for p in (staged / STATIC).iterdir()) == sorted(chalice_source.REQUIRED_STATIC)


def test_every_asset_the_pages_serve_is_required():
    from chalicelib.api.pages import ASSET_TYPES

    assert set(chalice_source.REQUIRED_STATIC) == set(ASSET_TYPES)


def test_the_package_is_built_from_the_lock(tmp_path):
    source = app_tree(tmp_path / "src", chalice_source.REQUIRED_STATIC)
    (source / "requirements.txt").write_text("# what the app imports\nboto3==1.44.5\n")
    lock = "# generated\nboto3==1.44.5\nbotocore==1.44.8\njmespath==1.1.0\n"
    (source / "requirements.lock").write_text(lock)
    staged = stage_app_source(tmp_path / "build", bundle_dependencies=True, project_dir=source)
    # Chalice reads requirements.txt: in the staged app, that is the lock.
    assert (staged / "requirements.txt").read_text() == lock


@pytest.mark.parametrize("lock, problem", [
    (None, r"requirements\.lock is missing.*make lock"),
    ("boto3==1.44.4\nbotocore==1.44.8\n", r"boto3==1\.44\.5.*requirements\.lock has boto3==1\.44\.4.*make lock"),
    ("botocore==1.44.8\n", r"boto3.*not in requirements\.lock.*make lock"),
])
def test_staging_refuses_a_missing_or_stale_lock(tmp_path, lock, problem):
    source = app_tree(tmp_path / "src", chalice_source.REQUIRED_STATIC)
    (source / "requirements.txt").write_text("boto3==1.44.5\n")
    if lock is not None:
        (source / "requirements.lock").write_text(lock)
    with pytest.raises(chalice_source.StaleLock, match=problem):
        stage_app_source(tmp_path / "build", bundle_dependencies=True, project_dir=source)


def test_staging_for_the_runtime_ships_hash_checked_bytecode_named_as_lambda_unpacks_it(tmp_path):
    import importlib.util
    import marshal

    source = app_tree(tmp_path / "src", chalice_source.REQUIRED_STATIC)
    (source / "chalicelib" / "module.py").write_text("VALUE = 1\n")
    staged = stage_app_source(tmp_path / "build", bundle_dependencies=False, project_dir=source,
                              runtime=chalice_source.building_python())
    pyc = Path(importlib.util.cache_from_source(str(staged / "chalicelib" / "module.py")))
    data = pyc.read_bytes()
    assert data[:4] == importlib.util.MAGIC_NUMBER
    assert int.from_bytes(data[4:8], "little") == 0b11  # hash-based, source checked
    assert data[8:16] == importlib.util.source_hash(b"VALUE = 1\n")
    assert marshal.loads(data[16:]).co_filename == "/var/task/chalicelib/module.py"  # noqa: S302 - our own build


def test_staging_for_another_runtime_refuses_to_write_its_bytecode(tmp_path):
    source = app_tree(tmp_path / "src", chalice_source.REQUIRED_STATIC)
    with pytest.raises(chalice_source.BytecodeMismatch, match=r"python3\.99"):
        stage_app_source(tmp_path / "build", bundle_dependencies=False, project_dir=source, runtime="python3.99")


def test_staging_without_a_runtime_ships_sources_only(tmp_path):
    source = app_tree(tmp_path / "src", chalice_source.REQUIRED_STATIC)
    (source / "chalicelib" / "module.py").write_text("VALUE = 1\n")
    staged = stage_app_source(tmp_path / "build", bundle_dependencies=False, project_dir=source)
    assert list(staged.glob("**/*.pyc")) == []
