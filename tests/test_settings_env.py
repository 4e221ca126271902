"""Every setting is documented in deploy/env.example, and env.example names no setting that does not exist."""

from __future__ import annotations

import re

from pydantic import BaseModel

from bot.settings import PROJECT_ROOT, Settings


def setting_names() -> set[str]:
    names = set()
    for name, field in Settings.model_fields.items():
        kind = field.annotation
        if isinstance(kind, type) and issubclass(kind, BaseModel):
            names |= {f"ANNING_{name}__{sub}".upper() for sub in kind.model_fields}
        else:
            names.add(f"ANNING_{name}".upper())
    return names


def test_env_example_and_the_settings_model_agree() -> None:
    text = (PROJECT_ROOT / "deploy" / "env.example").read_text(encoding="utf-8")
    documented = set(re.findall(r"^#?\s*(ANNING_[A-Z0-9_]+)=", text, flags=re.MULTILINE))
    assert documented == setting_names()
