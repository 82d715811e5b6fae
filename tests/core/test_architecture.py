"""Features depend downward only (docs/architecture.md): on app.core, app.api and app.auth, never on
each other; app.core and app.api use no feature but the accounts of app.auth."""
from __future__ import annotations

import ast
from pathlib import Path

from app.config import FEATURES

APP = Path(__file__).resolve().parents[2] / "app"
FOUNDATION = {"core", "api", "auth", "config", "extensions", "migrations"}


def _imported_packages(path: Path) -> set[str]:
    """The second part of every `app.<x>` a module imports (at any depth, lazily or not)."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        names = []
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names = [node.module]
        elif isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        for name in names:
            parts = name.split(".")
            if parts[0] == "app" and len(parts) > 1:
                found.add(parts[1])
    return found


def _violations(package: str, allowed: set[str]) -> list[str]:
    out = []
    for path in sorted((APP / package).rglob("*.py")):
        for imported in _imported_packages(path) - allowed - {package}:
            out.append(f"{path.relative_to(APP.parent)} imports app.{imported}")
    return out


def test_features_import_no_other_feature():
    problems = []
    for feature in FEATURES:
        problems += _violations(feature, FOUNDATION)
    assert not problems, "\n".join(problems)


def test_core_and_api_import_no_feature_but_the_accounts():
    problems = _violations("core", {"api", "auth", "config", "extensions"}) + \
        _violations("api", {"core", "auth", "config", "extensions"})
    assert not problems, "\n".join(problems)
