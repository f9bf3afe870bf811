"""Server-rendered SVG charts: geometry computed here, drawn by templates/insights/_chart.html with SVG
attributes and CSS classes only (no inline styles or scripts: the CSP forbids them)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

WIDTH = 640
HEIGHT = 200
PAD_LEFT = 40
PAD_BOTTOM = 24
PAD_TOP = 10


@dataclass(frozen=True)
class Bar:
    day: date
    day_text: str
    value: float | None
    label: str
    href: str
    x: float
    y: float
    width: float
    height: float


@dataclass
class Chart:
    slug: str
    title: str
    unit: str
    bars: list[Bar] = field(default_factory=list)
    maximum: float = 0
    width: int = WIDTH
    height: int = HEIGHT
    baseline: float = HEIGHT - PAD_BOTTOM
    left: int = PAD_LEFT
    ticks: list[tuple[float, str]] = field(default_factory=list)
    axis_labels: list[tuple[float, str]] = field(default_factory=list)

    def svg_body(self) -> SafeString:
        """Grid, bars (each a link with a title) and axis labels: built here, not by the template engine,
        because a 90-day page has 630 bars and the template loop cost more than the whole query."""
        parts: list[str] = []
        for y, label in self.ticks:
            parts.append(
                f'<line class="chart-grid" x1="{self.left}" x2="{self.width}" y1="{y}" y2="{y}"/>'
                f'<text class="chart-tick" x="{self.left - 4}" y="{y}" text-anchor="end" '
                f'dominant-baseline="middle">{escape(label)}</text>'
            )
        for bar in self.bars:
            empty = " chart-empty" if bar.value is None else ""
            parts.append(
                f'<a href="{escape(bar.href)}" class="chart-link">'
                f"<title>{bar.day_text}: {escape(bar.label)}</title>"
                f'<rect class="chart-bar{empty}" x="{bar.x}" y="{bar.y}" width="{bar.width}" '
                f'height="{bar.height}"/></a>'
            )
        for x, label in self.axis_labels:
            parts.append(
                f'<text class="chart-axis" x="{x}" y="{self.height - 6}" '
                f'text-anchor="middle">{escape(label)}</text>'
            )
        return mark_safe("".join(parts))  # noqa: S308 - every interpolated text is escaped above


def _fmt(value: float) -> str:
    return f"{value:.0f}" if value >= 10 or value == int(value) else f"{value:.1f}"


def bar_chart(
    *,
    slug: str,
    title: str,
    unit: str,
    points: list[tuple[date, float | None, str]],
    maximum: float | None = None,
) -> Chart:
    """``points``: (day, value or None for no data, click-through URL)."""
    values = [v for _d, v, _h in points if v is not None]
    top = maximum if maximum is not None else max(values, default=0) or 1
    plot_height = HEIGHT - PAD_BOTTOM - PAD_TOP
    slot = (WIDTH - PAD_LEFT) / max(len(points), 1)
    width = max(slot * 0.7, 1)
    chart = Chart(slug=slug, title=title, unit=unit, maximum=top)
    for index, (day, value, href) in enumerate(points):
        height = (value or 0) / top * plot_height
        chart.bars.append(
            Bar(
                day=day,
                day_text=day.isoformat(),
                value=value,
                label=_fmt(value) if value is not None else "—",
                href=href,
                x=round(PAD_LEFT + index * slot + (slot - width) / 2, 2),
                y=round(HEIGHT - PAD_BOTTOM - height, 2),
                width=round(width, 2),
                height=round(height, 2),
            )
        )
    chart.ticks = [(round(HEIGHT - PAD_BOTTOM - plot_height * f, 2), _fmt(top * f)) for f in (0, 0.5, 1)]
    step = max(len(points) // 6, 1)
    chart.axis_labels = [
        (round(PAD_LEFT + i * slot + slot / 2, 2), points[i][0].strftime("%m-%d"))
        for i in range(0, len(points), step)
    ]
    return chart
