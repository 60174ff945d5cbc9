"""Server-side SVG charts (no JavaScript, no CDN): horizontal bars and lines; every label escaped."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from markupsafe import Markup, escape

WIDTH = 720
LABEL_WIDTH = 230
VALUE_WIDTH = 150  # room right of the longest bar for '24.3 % (854/3511)'
BAR_HEIGHT = 22
BAR_GAP = 8
LABEL_CHARS = 34
SERIES_COLOURS = 8  # classes series-0 … series-7 in reports.css
PLOT_HEIGHT = 240
LEFT, TOP, BOTTOM, LEGEND = 48, 16, 44, 190


def short(text: str, limit: int = LABEL_CHARS) -> str:
    """Cut a long label with an ellipsis (the full text stays in the tooltip)."""
    return text if len(text) <= limit else text[: limit - 1] + "…"


def svg(width: int, height: int, title: str, body: list[str]) -> Markup:
    """Wrap chart parts in an accessible <svg> element."""
    head = (
        f'<svg class="chart" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" '
        f'width="{width}" height="{height}" role="img" aria-label="{escape(title)}">'
        f"<title>{escape(title)}</title>"
    )
    # Every text and attribute value above and in body was passed through escape().
    return Markup(head + "".join(body) + "</svg>")  # noqa: S704


def bar_row(index: int, label: str, value: float, top: float, shown: str) -> str:
    """Draw one labelled bar scaled against the largest value."""
    y = index * (BAR_HEIGHT + BAR_GAP) + BAR_GAP
    length = 0 if top <= 0 else (WIDTH - LABEL_WIDTH - VALUE_WIDTH) * value / top
    text_y = y + BAR_HEIGHT * 0.7
    return (
        f'<g class="bar-row"><title>{escape(label)}: {escape(shown)}</title>'
        f'<text class="label" x="{LABEL_WIDTH - 8}" y="{text_y:.1f}" text-anchor="end">'
        f"{escape(short(label))}</text>"
        f'<rect class="bar" x="{LABEL_WIDTH}" y="{y}" width="{length:.1f}" height="{BAR_HEIGHT}"/>'
        f'<text class="value" x="{LABEL_WIDTH + length + 6:.1f}" y="{text_y:.1f}">{escape(shown)}</text></g>'
    )


def bar_chart(title: str, bars: Sequence[tuple[str, Any, str]]) -> Markup:
    """Draw horizontal bars from (label, value, text shown beside the bar) triples."""
    values = [float(value or 0) for _label, value, _shown in bars]
    top = max(values, default=0)
    rows = [bar_row(i, str(bar[0]), values[i], top, str(bar[2])) for i, bar in enumerate(bars)]
    height = max(1, len(bars)) * (BAR_HEIGHT + BAR_GAP) + BAR_GAP
    return svg(WIDTH, height, title, rows)


def nice_ceiling(value: float) -> float:
    """Round the axis maximum up to 10, 20, 25, 50 or 100 (and powers of ten)."""
    if value <= 0:
        return 10.0
    scale = 10 ** (len(str(int(value))) - 1)
    for step in (1, 2, 2.5, 5, 10):
        if value <= step * scale:
            return step * scale
    return 10.0 * scale


def axes(x_labels: Sequence[str], top: float, plot_w: float) -> list[str]:
    """Draw the y grid (five steps) and up to eight x labels."""
    parts = []
    for i in range(6):
        y = TOP + PLOT_HEIGHT - PLOT_HEIGHT * i / 5
        parts.append(f'<line class="grid" x1="{LEFT}" x2="{LEFT + plot_w:.1f}" y1="{y:.1f}" y2="{y:.1f}"/>')
        tick = top * i / 5
        parts.append(f'<text class="tick" x="{LEFT - 6}" y="{y + 4:.1f}" text-anchor="end">{tick:g}</text>')
    step = max(1, -(-len(x_labels) // 8))
    for i in range(0, len(x_labels), step):
        x = x_position(i, len(x_labels), plot_w)
        y = TOP + PLOT_HEIGHT + 18
        parts.append(
            f'<text class="tick" x="{x:.1f}" y="{y}" text-anchor="middle">{escape(x_labels[i])}</text>'
        )
    return parts


def x_position(index: int, count: int, plot_w: float) -> float:
    """Return the x coordinate of the index-th of count points."""
    return LEFT + (plot_w / 2 if count < 2 else plot_w * index / (count - 1))


def y_position(value: float, top: float) -> float:
    """Return the y coordinate of a value on an axis from 0 to top."""
    return TOP + PLOT_HEIGHT - PLOT_HEIGHT * value / top


def series_parts(index: int, name: str, points: Sequence[Any], top: float, plot_w: float) -> list[str]:
    """Draw one series: a polyline through its points, dots with tooltips, and its legend entry."""
    css = f"series-{index % SERIES_COLOURS}"
    coords = [
        (x_position(i, len(points), plot_w), y_position(float(v), top), v)
        for i, v in enumerate(points)
        if v is not None
    ]
    path = " ".join(f"{x:.1f},{y:.1f}" for x, y, _v in coords)
    parts = [f'<polyline class="line {css}" points="{path}"/>'] if len(coords) > 1 else []
    parts += [
        f'<circle class="dot {css}" cx="{x:.1f}" cy="{y:.1f}" r="3">'
        f"<title>{escape(name)}: {escape(str(v))}</title></circle>"
        for x, y, v in coords
    ]
    legend_y = TOP + 14 + index * 18
    legend_x = LEFT + plot_w + 16
    parts.append(f'<rect class="swatch {css}" x="{legend_x}" y="{legend_y - 9}" width="10" height="10"/>')
    parts.append(f'<text class="legend" x="{legend_x + 14}" y="{legend_y}">{escape(short(name, 26))}</text>')
    return parts


def line_chart(title: str, x_labels: Sequence[str], series: Sequence[tuple[str, Sequence[Any]]]) -> Markup:
    """Draw lines over shared x labels; series are (name, values aligned with x_labels, None = gap)."""
    plot_w = WIDTH - LEFT - LEGEND
    values = [float(v) for _name, points in series for v in points if v is not None]
    top = nice_ceiling(max(values, default=0))
    parts = axes(list(x_labels), top, plot_w)
    for index, (name, points) in enumerate(series):
        parts += series_parts(index, str(name), points, top, plot_w)
    legend_height = TOP + 18 * len(series) + 8
    return svg(WIDTH, max(TOP + PLOT_HEIGHT + BOTTOM, legend_height), title, parts)


def as_number(value: Any) -> float:
    """Return a chartable float (None counts as zero)."""
    return float(value) if isinstance(value, int | float | Decimal) else 0.0
