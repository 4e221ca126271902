"""deploy/env.example documents every setting of bot/settings.py with its default, and names nothing else."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from pydantic import BaseModel, SecretStr

from bot.settings import PROJECT_ROOT, Settings

EXAMPLE = PROJECT_ROOT / "deploy" / "env.example"


def documented() -> dict[str, str]:
    """ANNING_* name -> the value written in env.example."""
    lines = EXAMPLE.read_text(encoding="utf-8").splitlines()
    return dict(m.groups() for line in lines if (m := re.fullmatch(r"(ANNING_[A-Z0-9_]+)=(.*)", line)))


def defaults(model: BaseModel, prefix: str = "ANNING_") -> dict[str, Any]:
    """ANNING_* name -> the default, for every field (nested sections with a double underscore)."""
    out: dict[str, Any] = {}
    for name in type(model).model_fields:
        value = getattr(model, name)
        if isinstance(value, BaseModel):
            out.update(defaults(value, f"{prefix}{name.upper()}__"))
        else:
            out[f"{prefix}{name.upper()}"] = value
    return out


def as_written(value: Any) -> str:
    """A default as env.example would write it."""
    if isinstance(value, SecretStr):
        return value.get_secret_value()
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, list):
        return json.dumps(value)
    return str(value)


def test_every_setting_is_documented_and_nothing_else() -> None:
    assert set(documented()) == set(defaults(Settings(_env_file=None)))  # type: ignore[call-arg]


def test_documented_values_are_the_defaults() -> None:
    written = documented()
    for name, value in defaults(Settings(_env_file=None)).items():  # type: ignore[call-arg]
        if isinstance(value, Path):
            assert (PROJECT_ROOT / written[name]).resolve() == value.resolve(), name
        elif isinstance(value, float):
            assert float(written[name]) == value, name
        else:
            assert written[name] == as_written(value), name
