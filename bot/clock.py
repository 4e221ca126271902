"""Shared, time: China's one time zone (Asia/Shanghai, UTC+8) for every stage that shows or reads local times."""

from __future__ import annotations

from datetime import timedelta, timezone

CHINA = timezone(timedelta(hours=8), "Asia/Shanghai")  # no DST since 1991, so a fixed offset is exact
