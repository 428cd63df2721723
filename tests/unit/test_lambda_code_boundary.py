"""Nothing the Lambda package runs may need chalicelib/local/ (the embedded stack is not packaged).

The Chime stand-in is injected by whoever runs with CHIME_BACKEND=standin (the local stack, the
tests, the benchmarks); with nothing injected the app refuses clearly instead of importing it.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from chalicelib.bootstrap import Dependencies
from chalicelib.settings import Settings

ROOT = Path(__file__).resolve().parents[2]
LOCAL = "chalicelib.local"


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _imported(path: Path) -> set[str]:
    """Absolute names of everything `path` imports (relative imports resolved), lazy ones included."""
    package = _module_name(path).rsplit(".", 1)[0] if path.name != "__init__.py" else _module_name(path)
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - (node.level - 1)]
                module = ".".join([*base, node.module] if node.module else base)
            else:
                module = node.module or ""
            names.add(module)
            names.update(f"{module}.{alias.name}" for alias in node.names)
    return names


def _packaged_modules() -> list[Path]:
    local_dir = ROOT / "chalicelib" / "local"
    return [ROOT / "app.py", *sorted(
        p for p in (ROOT / "chalicelib").rglob("*.py") if local_dir not in p.parents
    )]


def test_the_import_scan_sees_relative_and_lazy_imports():
    # The scan itself: bootstrap.py's own lazy relative imports resolve to absolute names.
    assert "chalicelib.adapters.chime.ChimeMeetings" in _imported(ROOT / "chalicelib" / "bootstrap.py")


@pytest.mark.parametrize("path", _packaged_modules(), ids=lambda p: str(p.relative_to(ROOT)))
def test_no_packaged_module_imports_the_local_stack(path):
    offending = sorted(n for n in _imported(path) if n == LOCAL or n.startswith(LOCAL + "."))
    assert offending == [], (
        f"{path.relative_to(ROOT)} imports {offending}: chalicelib/local/ is not in the Lambda package"
    )


def test_standin_backend_without_an_injected_standin_is_refused_clearly():
    deps = Dependencies(Settings(chime_backend="standin"))
    with pytest.raises(RuntimeError, match="chime_standin="):
        _ = deps.meetings  # reading the property is what raises


def test_an_injected_standin_answers_the_meeting_calls():
    from chalicelib.local.chime_standin import ChimeStandIn

    standin = ChimeStandIn()
    meetings = Dependencies(Settings(chime_backend="standin"), chime_standin=standin).meetings
    meeting = meetings.create_meeting("v-1")
    assert standin.meetings[meeting["MeetingId"]]["meeting"]["ExternalMeetingId"] == "v-1"
