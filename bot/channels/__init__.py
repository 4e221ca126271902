"""Channels stage (① and ⑥): registry of platform adapters, discovered from the modules of this package."""

from __future__ import annotations

import importlib
import pkgutil
from types import ModuleType

from bot.channels.base import REGISTRY, Channel


def _load(name: str) -> ModuleType:
    """Import a module of this package; for a sub-package, every module in it (where its channels register)."""
    module = importlib.import_module(f"{__name__}.{name}")
    for sub in pkgutil.iter_modules(getattr(module, "__path__", [])):
        importlib.import_module(f"{module.__name__}.{sub.name}")
    return module


def discover() -> list[type[Channel]]:
    """Every registered channel, in name order (imports every module of the package once)."""
    for mod in pkgutil.iter_modules(__path__):
        if mod.name != "base":
            _load(mod.name)
    return [REGISTRY[name] for name in sorted(REGISTRY)]


def available() -> list[str]:
    """Names of every channel module that registered itself."""
    return [channel.name for channel in discover()]


def get(name: str) -> type[Channel]:
    """The channel registered under a name (its own module first, so `anning chat` imports no web channels)."""
    if name not in REGISTRY and any(m.name == name for m in pkgutil.iter_modules(__path__)):
        _load(name)
    if name not in REGISTRY:
        discover()
    return REGISTRY[name]
