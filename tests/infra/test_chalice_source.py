"""Staging the app for packaging (a package without the staff pages' JavaScript is never produced),
and the package's bytecode."""

from __future__ import annotations

import zipfile
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


def _package_zip(path: Path, files: dict[str, tuple[bytes, int]]) -> Path:
    """A Lambda package as Chalice writes one: name -> (bytes, Unix mode)."""
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, (data, mode) in files.items():
            info = zipfile.ZipInfo(name, date_time=(2026, 12, 2, 10, 0, 0))
            info.external_attr = mode << 16
            archive.writestr(info, data)
    return path


PACKAGE_FILES = {
    "app.py": (b"import dependency\n", 0o644),
    "chalicelib/__init__.py": (b"", 0o644),
    "chalicelib/module.py": (b"VALUE = 1\n", 0o644),
    "dependency/__init__.py": (b"NAME = 'dependency'\n", 0o644),
    "dependency/_native.cpython-311-x86_64-linux-gnu.so": (b"\x7fELF not really", 0o755),
    "dependency-1.0.dist-info/RECORD": (b"dependency/__init__.py,,\n", 0o644),
}


def test_every_module_of_the_package_gets_hash_checked_bytecode_named_as_lambda_unpacks_it(tmp_path):
    import importlib.util
    import marshal

    package = _package_zip(tmp_path / "deployment.zip", PACKAGE_FILES)
    assert chalice_source.add_bytecode_to_package(package, chalice_source.building_python()) == 4
    with zipfile.ZipFile(package) as archive:
        names = set(archive.namelist())
        for source in ("app.py", "chalicelib/__init__.py", "chalicelib/module.py", "dependency/__init__.py"):
            pyc = Path(importlib.util.cache_from_source(source)).as_posix()
            assert pyc in names
            data = archive.read(pyc)
            assert data[:4] == importlib.util.MAGIC_NUMBER
            assert int.from_bytes(data[4:8], "little") == 0b11  # hash-based, source checked
            assert data[8:16] == importlib.util.source_hash(PACKAGE_FILES[source][0])
            assert marshal.loads(data[16:]).co_filename == f"/var/task/{source}"  # noqa: S302 - our own build
        # What Chalice wrote is kept as it was: the same bytes, the same modes (a native library's too).
        for name, (data, mode) in PACKAGE_FILES.items():
            assert archive.read(name) == data
            assert archive.getinfo(name).external_attr >> 16 == mode


def test_adding_bytecode_twice_changes_nothing_and_packs_the_same_bytes(tmp_path):
    first = _package_zip(tmp_path / "first.zip", PACKAGE_FILES)
    second = _package_zip(tmp_path / "second.zip", PACKAGE_FILES)
    runtime = chalice_source.building_python()
    chalice_source.add_bytecode_to_package(first, runtime)
    chalice_source.add_bytecode_to_package(second, runtime)
    assert first.read_bytes() == second.read_bytes()  # one source tree, one asset hash
    assert chalice_source.add_bytecode_to_package(first, runtime) == 0


def test_bytecode_for_another_runtime_is_refused_and_the_package_left_alone(tmp_path):
    package = _package_zip(tmp_path / "deployment.zip", PACKAGE_FILES)
    before = package.read_bytes()
    with pytest.raises(chalice_source.BytecodeMismatch, match=r"python3\.99"):
        chalice_source.add_bytecode_to_package(package, "python3.99")
    assert package.read_bytes() == before


def test_a_module_that_does_not_compile_stops_the_build(tmp_path):
    package = _package_zip(tmp_path / "deployment.zip", {**PACKAGE_FILES, "dependency/broken.py": (b"def (:\n", 0o644)})
    with pytest.raises(SyntaxError, match="does not compile"):
        chalice_source.add_bytecode_to_package(package, chalice_source.building_python())


def test_staging_ships_sources_only_the_package_gets_the_bytecode(tmp_path):
    source = app_tree(tmp_path / "src", chalice_source.REQUIRED_STATIC)
    (source / "chalicelib" / "module.py").write_text("VALUE = 1\n")
    staged = stage_app_source(tmp_path / "build", bundle_dependencies=False, project_dir=source)
    assert list(staged.glob("**/*.pyc")) == []
