"""Evidence, chart: a PNG with messages per day and per hour of day (night hours shaded), drawn with Pillow only."""

from __future__ import annotations

import io
import math
from datetime import date, timedelta
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

from bot.evidence.model import Stats
from bot.evidence.stats import NIGHT_HOURS
from bot.texts import Texts

WIDTH = 1800  # px; printed 170 mm wide that is about 270 dpi
PANEL_HEIGHT = 620
MAX_FILLED_DAYS = 400  # per-day gaps are filled with zero days up to this span

_BG = (255, 255, 255)
_INK = (40, 40, 40)
_GRID = (215, 215, 215)
_BAR = (52, 101, 164)
_NIGHT_SHADE = (228, 228, 232)
_MARGIN_LEFT, _MARGIN_RIGHT, _MARGIN_TOP, _MARGIN_BOTTOM = 130, 40, 90, 110

Font = ImageFont.FreeTypeFont


def _nice_step(peak: int, max_ticks: int = 6) -> int:
    """A tick step of 1, 2 or 5 times a power of ten that gives at most max_ticks ticks."""
    if peak <= max_ticks:
        return 1
    raw = peak / max_ticks
    power = 10 ** math.floor(math.log10(raw))
    for factor in (1, 2, 5, 10):
        if factor * power >= raw:
            return int(factor * power)
    return int(10 * power)  # pragma: no cover - the loop always returns


def _days(per_day: dict[str, int]) -> tuple[list[str], list[int], set[int]]:
    """Days in order (gaps filled with zero when the span is short), their counts, and the years they cover."""
    parsed: dict[date, int] = {}
    for key, count in per_day.items():
        try:
            parsed[date.fromisoformat(key)] = count
        except ValueError:
            return sorted(per_day), [per_day[k] for k in sorted(per_day)], set()
    if not parsed:
        return [], [], set()
    first, last = min(parsed), max(parsed)
    span = (last - first).days + 1
    days = [first + timedelta(n) for n in range(span)] if span <= MAX_FILLED_DAYS else sorted(parsed)
    years = {d.year for d in days}
    labels = [d.strftime("%m-%d") if len(years) == 1 else d.isoformat() for d in days]
    return labels, [parsed.get(d, 0) for d in days], years


class _Painter:
    """Draws one bar chart panel onto a shared canvas."""

    def __init__(self, image: Image.Image, font: tuple[Path, int]) -> None:
        self.draw = ImageDraw.Draw(image)
        path, index = font
        self.title_font = ImageFont.truetype(str(path), 40, index=index)
        self.label_font = ImageFont.truetype(str(path), 30, index=index)
        self.tick_font = ImageFont.truetype(str(path), 26, index=index)
        self.value_font = ImageFont.truetype(str(path), 22, index=index)

    def panel(
        self,
        top: int,
        title: str,
        x_axis: str,
        y_axis: str,
        labels: list[str],
        values: list[int],
        shaded: frozenset[int] = frozenset(),
        no_data: str = "",
    ) -> None:
        """One titled bar chart between top and top + PANEL_HEIGHT."""
        draw = self.draw
        left, right = _MARGIN_LEFT, WIDTH - _MARGIN_RIGHT
        plot_top, plot_bottom = top + _MARGIN_TOP, top + PANEL_HEIGHT - _MARGIN_BOTTOM
        plot_w, plot_h = right - left, plot_bottom - plot_top
        draw.text((WIDTH // 2, top + 40), title, font=self.title_font, fill=_INK, anchor="mm")
        draw.text(((left + right) // 2, top + PANEL_HEIGHT - 30), x_axis, font=self.label_font, fill=_INK, anchor="mm")
        self._vertical_text(40, (plot_top + plot_bottom) // 2, y_axis)
        n = len(values)
        slot = plot_w / n if n else plot_w
        for i in shaded:
            if i < n:
                draw.rectangle((left + i * slot, plot_top, left + (i + 1) * slot, plot_bottom), fill=_NIGHT_SHADE)
        peak = max(values, default=0)
        step = _nice_step(max(peak, 1))
        top_value = max(step, math.ceil(peak / step) * step)
        for tick in range(0, top_value + 1, step):
            y = plot_bottom - tick / top_value * plot_h
            draw.line((left, y, right, y), fill=_GRID, width=2)
            draw.text((left - 12, y), str(tick), font=self.tick_font, fill=_INK, anchor="rm")
        draw.line((left, plot_top, left, plot_bottom), fill=_INK, width=2)
        draw.line((left, plot_bottom, right, plot_bottom), fill=_INK, width=2)
        if not n or peak == 0:
            draw.text(
                ((left + right) // 2, (plot_top + plot_bottom) // 2),
                no_data,
                font=self.label_font,
                fill=_INK,
                anchor="mm",
            )
            return
        bar_w = max(1.0, slot * 0.72)
        widest = max(self.draw.textlength(label, font=self.tick_font) for label in labels)
        label_every = max(1, math.ceil((widest + 18) / slot))
        show_values = slot >= 34
        for i, value in enumerate(values):
            centre = left + (i + 0.5) * slot
            if value:
                y = plot_bottom - value / top_value * plot_h
                draw.rectangle((centre - bar_w / 2, y, centre + bar_w / 2, plot_bottom), fill=_BAR)
                if show_values:
                    draw.text((centre, y - 6), str(value), font=self.value_font, fill=_INK, anchor="ms")
            if i % label_every == 0:
                draw.line((centre, plot_bottom, centre, plot_bottom + 8), fill=_INK, width=2)
                draw.text((centre, plot_bottom + 14), labels[i], font=self.tick_font, fill=_INK, anchor="mt")

    def _vertical_text(self, x: int, y_centre: int, text: str) -> None:
        """Chinese written top to bottom, one character under the other."""
        height = 36
        y = y_centre - height * len(text) // 2
        for ch in text:
            self.draw.text((x, y), ch, font=self.label_font, fill=_INK, anchor="mt")
            y += height


def render_chart(stats: Stats, font: tuple[Path, int], texts: Texts) -> bytes:
    """PNG bytes: messages per day (top) and per hour of day with night hours shaded (bottom)."""
    image = Image.new("RGB", (WIDTH, 2 * PANEL_HEIGHT + 20), _BG)
    painter = _Painter(image, font)
    labels, values, years = _days(stats.per_day)
    day_axis = texts.get("evidence.chart_day_axis")
    if len(years) == 1:
        day_axis += "（" + texts.get("evidence.chart_year", year=next(iter(years))) + "）"
    no_data = texts.get("evidence.chart_no_data")
    count_axis = texts.get("evidence.chart_count_axis")
    painter.panel(0, texts.get("evidence.chart_day_title"), day_axis, count_axis, labels, values, no_data=no_data)
    hours = [int(v) for v in stats.per_hour[:24]] + [0] * max(0, 24 - len(stats.per_hour))
    painter.panel(
        PANEL_HEIGHT + 20,
        texts.get("evidence.chart_hour_title"),
        texts.get("evidence.chart_hour_axis"),
        count_axis,
        [str(h) for h in range(24)],
        hours,
        shaded=NIGHT_HOURS,
        no_data=no_data,
    )
    buffer = io.BytesIO()
    image.save(buffer, "PNG")
    return buffer.getvalue()
