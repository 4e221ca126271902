"""The house: every module imports only stages at or below its own, and no package imports another's private names."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

BOT = Path(__file__).resolve().parent.parent / "bot"

# Lowest first. A module may import its own package and any package at a lower or equal level.
LEVELS = {
    "contract": 0, "knowledge": 0, "office": 0, "clock": 0, "locks": 0, "memory": 0, "texts": 0, "settings": 0,
    "evidence": 1,
    "storage": 2,
    "sms": 3, "legal_qa": 3, "documents": 3,
    "understand": 4,
    "flows": 5, "llm": 5,
    "engine": 6,
    "channels": 7, "web": 7, "ops": 7,
    "cli": 8, "wiring": 8, "__main__": 8,
}  # fmt: skip


def _package(module: str) -> str:
    return module.split(".")[1] if module.startswith("bot.") and module.count(".") >= 1 else ""


def _imports(path: Path) -> list[tuple[str, list[str], int]]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    out = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("bot."):
            out.append((node.module, [a.name for a in node.names], node.lineno))
        elif isinstance(node, ast.Import):
            out.extend((a.name, [], node.lineno) for a in node.names if a.name.startswith("bot."))
    return out


MODULES = sorted(p for p in BOT.rglob("*.py"))


def _own(path: Path) -> str:
    rel = path.relative_to(BOT)
    return rel.parts[0].removesuffix(".py") if rel.parts else ""


def test_every_package_has_a_level() -> None:
    missing = {_own(p) for p in MODULES} - set(LEVELS) - {"__init__"}
    assert not missing, f"give these packages a level: {sorted(missing)}"


@pytest.mark.parametrize("path", MODULES, ids=lambda p: str(p.relative_to(BOT)))
def test_imports_point_down(path: Path) -> None:
    own = _own(path)
    if own == "__init__":
        return
    for module, names, line in _imports(path):
        other = _package(module)
        assert LEVELS[other] <= LEVELS[own], f"{path.name}:{line} ({own}) imports {module} ({other}), a higher stage"
        if other != own:
            private = [n for n in names if n.startswith("_")]
            assert not private, f"{path.name}:{line} imports private {private} from {module}"
