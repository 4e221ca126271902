"""Knowledge stage, YAML files: read YAML keeping line numbers, validate it with pydantic, report file:line errors."""

from __future__ import annotations

from pathlib import Path
from typing import Any, TypeVar

import yaml
from pydantic import BaseModel, ValidationError

M = TypeVar("M", bound=BaseModel)


class KnowledgeError(ValueError):
    """A knowledge file is invalid; the message names the file and, when known, the line."""


def line_of(node: yaml.Node | None, loc: tuple[int | str, ...]) -> int | None:
    """Find the 1-based line of a pydantic error location inside a composed YAML node."""
    best = node.start_mark.line + 1 if node is not None else None
    for part in loc:
        if isinstance(node, yaml.MappingNode):
            node = next((v for k, v in node.value if k.value == part), None)
        elif isinstance(node, yaml.SequenceNode) and isinstance(part, int) and part < len(node.value):
            node = node.value[part]
        else:
            break
        if node is None:
            break
        best = node.start_mark.line + 1
    return best


def read_yaml(path: Path) -> tuple[Any, yaml.Node | None]:
    """Load a YAML file as data together with its composed node tree (for line numbers); syntax errors name the line."""
    text = path.read_text(encoding="utf-8")
    try:
        return yaml.safe_load(text), yaml.compose(text)
    except yaml.MarkedYAMLError as exc:
        line = exc.problem_mark.line + 1 if exc.problem_mark else "?"
        raise KnowledgeError(f"{path}:{line}: YAML syntax error: {exc.problem}") from exc


def validate(path: Path, model: type[M], data: Any, node: yaml.Node | None, prefix: tuple[Any, ...] = ()) -> M:
    """Validate data (found at prefix inside node) as model; the first error becomes a KnowledgeError at its line."""
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        err = exc.errors()[0]
        loc = prefix + tuple(err["loc"])
        line = line_of(node, loc)
        where = ".".join(str(p) for p in loc) or "(top)"
        raise KnowledgeError(f"{path}:{line}: {where}: {err['msg']}") from exc
