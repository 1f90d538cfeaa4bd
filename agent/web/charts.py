"""Server-rendered SVG charts: readable without JavaScript, testable in a browser."""

from __future__ import annotations

from dataclasses import dataclass

from agent.profile.schemas import AgingRead
from agent.web.format import money

BAR_COLOURS = {
    "current": "#2e7d32",
    "1-30": "#f9a825",
    "31-60": "#ef6c00",
    "61-90": "#d84315",
    "91+": "#b71c1c",
}


@dataclass(frozen=True)
class Bar:
    """One bar: its label, value, formatted value, geometry and colour."""

    label: str
    value: float
    text: str
    x: float
    y: float
    width: float
    height: float
    colour: str


@dataclass(frozen=True)
class BarChart:
    """A titled set of bars drawn in a ``width`` × ``height`` SVG."""

    title: str
    bars: list[Bar]
    width: int = 560
    height: int = 240


def aging_bars(aging: AgingRead, *, width: int = 560, height: int = 240) -> BarChart:
    """Aging buckets as bars scaled to the largest bucket."""
    top, bottom, gap = 30.0, 40.0, 16.0
    values = [float(aging.buckets[name]) for name in BAR_COLOURS]
    peak = max(values) or 1.0
    slot = width / len(values)
    bars = []
    for index, (name, value) in enumerate(zip(BAR_COLOURS, values, strict=True)):
        bar_height = (height - top - bottom) * value / peak
        bars.append(
            Bar(
                label=name,
                value=value,
                text=money(aging.buckets[name], aging.currency),
                x=index * slot + gap / 2,
                y=height - bottom - bar_height,
                width=slot - gap,
                height=bar_height,
                colour=BAR_COLOURS[name],
            )
        )
    return BarChart(title=f"Aging ({aging.currency})", bars=bars, width=width, height=height)
