"""Server-rendered SVG charts: readable without JavaScript, testable in a browser.

Every bar and point carries ``data-label`` / ``data-value`` attributes so a browser test
can check that what is drawn is the data.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from agent.profile.schemas import AgingRead
from agent.web.format import money
from ledger.aging import AGING_BUCKETS

AGING_COLOURS = dict(zip(AGING_BUCKETS, ("#2e7d32", "#f9a825", "#ef6c00", "#d84315", "#b71c1c"), strict=True))
SERIES_COLOURS = ("#3b5bdb", "#2e7d32", "#d84315", "#0c8599", "#868e96")
TOP, BOTTOM, LEFT = 30.0, 40.0, 56.0
TICKS = 4  # about this many gridline intervals


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
    caption: str = ""  # the text under the bar, when shorter than the label


@dataclass(frozen=True)
class BarChart:
    """A titled set of bars drawn in a ``width`` × ``height`` SVG."""

    title: str
    bars: list[Bar]
    width: int = 560
    height: int = 240


@dataclass(frozen=True)
class Point:
    """One point of a line: its x label, value (None where undefined) and position."""

    label: str
    value: float | None
    x: float
    y: float


@dataclass(frozen=True)
class Series:
    """A named line: its points and the SVG path through the defined ones."""

    name: str
    colour: str
    points: list[Point]
    path: str


@dataclass(frozen=True)
class Tick:
    """A y-axis gridline."""

    y: float
    text: str


@dataclass(frozen=True)
class LineChart:
    """Named series over shared x labels, with y gridlines."""

    title: str
    series: list[Series]
    labels: list[tuple[float, str]]
    ticks: list[Tick]
    width: int = 720
    height: int = 260


def bar_chart(
    title: str,
    labels: Sequence[str],
    values: Sequence[float],
    texts: Sequence[str],
    colours: Sequence[str],
    *,
    width: int = 560,
    height: int = 240,
    captions: Sequence[str] | None = None,
) -> BarChart:
    """Bars scaled to the largest value (negative values draw as empty bars).

    ``captions`` are the texts under the bars (default: the labels, which stay the data labels).
    """
    captions = list(captions) if captions is not None else list(labels)
    peak = max([*values, 0.0]) or 1.0
    slot = width / max(len(values), 1)
    gap = min(16.0, slot / 4)
    bars = []
    for index, (label, value, text, colour) in enumerate(zip(labels, values, texts, colours, strict=True)):
        bar_height = (height - TOP - BOTTOM) * max(value, 0.0) / peak
        bars.append(
            Bar(
                label,
                value,
                text,
                index * slot + gap / 2,
                height - BOTTOM - bar_height,
                slot - gap,
                bar_height,
                colour,
                captions[index],
            )
        )
    return BarChart(title=title, bars=bars, width=width, height=height)


def aging_bars(aging: AgingRead) -> BarChart:
    """Aging buckets as bars."""
    values = [float(aging.buckets[name]) for name in AGING_COLOURS]
    texts = [money(aging.buckets[name], aging.currency) for name in AGING_COLOURS]
    return bar_chart(
        f"Aging ({aging.currency})", list(AGING_COLOURS), values, texts, list(AGING_COLOURS.values())
    )


def line_chart(
    title: str,
    labels: Sequence[str],
    series: Mapping[str, Sequence[float | None]],
    *,
    width: int = 720,
    height: int = 260,
    unit: str = "",
    captions: Sequence[str] | None = None,
    colours: Mapping[str, str] | None = None,
) -> LineChart:
    """Lines over ``labels``; a None value leaves a gap in its line.

    ``captions`` are the x-axis texts (default: the labels, which stay the data labels);
    ``colours`` pins a series' colour by name (default: the palette in order);
    the y axis runs from 0 (or the lowest value) to a round number above the highest.
    """
    defined = [v for values in series.values() for v in values if v is not None]
    low, high = min([0.0, *defined]), max([1.0, *defined])
    tick = _nice_step((high - low) / TICKS)
    low, high = math.floor(low / tick) * tick, math.ceil(high / tick) * tick
    span = (high - low) or 1.0
    step = (width - LEFT - 16) / max(len(labels) - 1, 1)

    def y_of(value: float) -> float:
        return TOP + (height - TOP - BOTTOM) * (1 - (value - low) / span)

    lines = []
    for index, (name, values) in enumerate(series.items()):
        points = [
            Point(label, value, LEFT + i * step, y_of(value) if value is not None else 0.0)
            for i, (label, value) in enumerate(zip(labels, values, strict=True))
        ]
        colour = (colours or {}).get(name, SERIES_COLOURS[index % len(SERIES_COLOURS)])
        lines.append(Series(name, colour, points, _path(points)))
    levels = [low + tick * k for k in range(round(span / tick) + 1)]
    ticks = [Tick(y_of(value), f"{value:,.{0 if tick >= 1 else 2}f}{unit}") for value in levels]
    return LineChart(
        title=title,
        series=lines,
        labels=[(LEFT + i * step, text) for i, text in enumerate(captions or labels)],
        ticks=ticks,
        width=width,
        height=height,
    )


def _nice_step(rough: float) -> float:
    """The smallest of 1, 2, 2.5, 5 × 10^k at least ``rough``: gridlines on round numbers."""
    magnitude = 10 ** math.floor(math.log10(rough)) if rough > 0 else 1.0
    return next(m * magnitude for m in (1, 2, 2.5, 5, 10) if m * magnitude >= rough)


def _path(points: list[Point]) -> str:
    """``M``/``L`` commands through defined points, starting a new segment after a gap."""
    commands, pen_down = [], False
    for point in points:
        if point.value is None:
            pen_down = False
            continue
        commands.append(f"{'L' if pen_down else 'M'}{point.x:.1f},{point.y:.1f}")
        pen_down = True
    return " ".join(commands)
