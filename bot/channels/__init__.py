"""Channels stage (① and ⑥): registry of platform adapters, discovered from the modules of this package."""

from __future__ import annotations

import importlib
import pkgutil

from bot.channels.base import REGISTRY, ChannelFactory


def available() -> list[str]:
    """Names of every channel module that registered itself."""
    for mod in pkgutil.iter_modules(__path__):
        if mod.name != "base":
            importlib.import_module(f"{__name__}.{mod.name}")
    return sorted(REGISTRY)


def get(name: str) -> ChannelFactory:
    """The factory registered under a name."""
    available()
    return REGISTRY[name]
