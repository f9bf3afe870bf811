"""Server-rendered SVG bar charts with true scales: every bar's length is its value over one common axis
maximum (a "nice" round number at or above the largest value), starting at zero, with labelled ticks. Pure:
the template draws what this computes; each bar may link to the claims it counts."""

from __future__ import annotations

import math
from dataclasses import dataclass, field


@dataclass
class Bar:
    series: str
    value: int
    url: str
    x: float
    y: float
    width: float
    height: float
    label_x: float


@dataclass
class Row:
    label: str
    values: list[tuple[str, int, str]]  # (series key, value, url)
    y: float = 0
    label_y: float = 0
    bars: list[Bar] = field(default_factory=list)


@dataclass
class Chart:
    rows: list[Row]
    series: list[tuple[str, str]]  # (key, label)
    width: int
    height: int
    plot_x: int
    plot_width: int
    axis_max: int
    ticks: list[tuple[int, float]]  # (value, x)


def nice_max(value: int) -> int:
    """The smallest of 1, 2, 5 × 10^k at or above ``value`` (at least 1)."""
    if value <= 1:
        return 1
    power = 10 ** math.floor(math.log10(value))
    for step in (1, 2, 5, 10):
        if step * power >= value:
            return step * power
    return 10 * power


def tick_step(axis_max: int) -> int:
    """A round step that divides the axis into at most five equal, exactly labelled parts."""
    power = 1
    while True:
        for step in (power, 2 * power, 5 * power):
            if axis_max % step == 0 and axis_max // step <= 5:
                return step
        power *= 10


def bar_chart(
    rows: list[Row],
    *,
    series: list[tuple[str, str]],
    width: int = 480,
    label_width: int = 120,
    bar_height: int = 18,
    gap: int = 12,
) -> Chart:
    largest = max((v for row in rows for _k, v, _u in row.values), default=0)
    axis_max = nice_max(largest)
    plot_x = label_width
    plot_width = width - label_width - 40  # room for the value printed after the longest bar
    top = 8
    y = top
    for row in rows:
        row.y = y
        row.bars = []
        for key, value, url in row.values:
            length = plot_width * value / axis_max
            row.bars.append(Bar(key, value, url, plot_x, y, length, bar_height, plot_x + length + 4))
            y += bar_height + 2
        row.label_y = row.y + (y - row.y) / 2 + 4
        y += gap
    step = tick_step(axis_max)
    ticks = [(value, plot_x + plot_width * value / axis_max) for value in range(0, axis_max + 1, step)]
    return Chart(
        rows=rows,
        series=series,
        width=width,
        height=int(y + 16),
        plot_x=plot_x,
        plot_width=plot_width,
        axis_max=axis_max,
        ticks=ticks,
    )
