"""Bar charts drawn on the server as SVG markup: no JavaScript, and no ``style=`` attributes
(the Content-Security-Policy forbids inline styles); colours and sizes are SVG presentation
attributes. Coordinates are computed in Decimal and written with one decimal place.

``stacked_bar_chart`` draws one row per category: a thin reference bar (the budget) above a
stacked bar of its parts (actual, then committed), on a scale that ends at a round value above
the largest row, with gridlines, a legend and a ``<title>`` on every bar for a tooltip. The
table next to the chart carries the same numbers for screen readers and printing.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

WIDTH = 760
LABEL_WIDTH = 170
VALUE_WIDTH = 150
LEGEND_HEIGHT = 34
AXIS_HEIGHT = 22
ROW_HEIGHT = 46
REFERENCE_HEIGHT = 10
STACK_HEIGHT = 18
GRIDLINES = 4
TEXT_FILL = "#1d2733"
MUTED_FILL = "#5b6877"
GRID_STROKE = "#d8dee6"
REFERENCE_FILL = "#9aa5b1"
TENTH = Decimal("0.1")


@dataclass(frozen=True)
class Series:
    label: str
    fill: str


@dataclass(frozen=True)
class ChartRow:
    label: str
    title: str  # the longer text of the row's tooltip
    reference: Decimal
    parts: Sequence[Decimal]  # one per part series, stacked left to right
    value_text: str  # written at the right end of the row


def _n(value: Decimal | int) -> str:
    return str(Decimal(value).quantize(TENTH, rounding=ROUND_HALF_UP))


def stacked_bar_chart(
    *,
    rows: Sequence[ChartRow],
    reference: Series,
    parts: Sequence[Series],
    title: str,
    format_value: Callable[[Decimal], str],
) -> SafeString:
    """An SVG document fragment (``<svg>...</svg>``) ready to put into a template."""
    plot_x = LABEL_WIDTH
    plot_width = WIDTH - LABEL_WIDTH - VALUE_WIDTH
    top = LEGEND_HEIGHT + AXIS_HEIGHT
    height = top + ROW_HEIGHT * max(len(rows), 1) + 8
    largest = max(
        (max(row.reference, sum(row.parts, Decimal(0))) for row in rows), default=Decimal(0)
    )
    step = nice_step(largest / GRIDLINES)
    top_value = step * GRIDLINES
    scale = Decimal(plot_width) / top_value

    out: list[str] = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img" '
        f'viewBox="0 0 {WIDTH} {height}" width="100%" preserveAspectRatio="xMinYMin meet" '
        f'font-family="system-ui, sans-serif" font-size="12" aria-label="{escape(title)}">',
        f"<title>{escape(title)}</title>",
    ]

    # Legend: the reference series, then the parts.
    x = plot_x
    for series, h in ((reference, REFERENCE_HEIGHT), *((p, STACK_HEIGHT) for p in parts)):
        out.append(
            f'<rect x="{x}" y="{_n(Decimal(17 - h) / 2 + 4)}" width="14" height="{h}" '
            f'fill="{escape(series.fill)}"/>'
        )
        out.append(f'<text x="{x + 20}" y="17" fill="{TEXT_FILL}">{escape(series.label)}</text>')
        x += 30 + 8 * len(series.label)

    # Gridlines with their values.
    for i in range(GRIDLINES + 1):
        gx = plot_x + Decimal(plot_width) * i / GRIDLINES
        value = step * i
        out.append(
            f'<line x1="{_n(gx)}" y1="{top - 4}" x2="{_n(gx)}" y2="{height - 8}" '
            f'stroke="{GRID_STROKE}" stroke-width="1"/>'
        )
        anchor = "start" if i == 0 else "end" if i == GRIDLINES else "middle"
        out.append(
            f'<text x="{_n(gx)}" y="{top - 8}" fill="{MUTED_FILL}" font-size="10" '
            f'text-anchor="{anchor}">{escape(format_value(value))}</text>'
        )

    for index, row in enumerate(rows):
        y = top + ROW_HEIGHT * index
        out.append(f'<g class="chart-row"><title>{escape(row.title)}</title>')
        out.append(
            f'<text x="{plot_x - 8}" y="{y + 24}" fill="{TEXT_FILL}" '
            f'text-anchor="end">{escape(_truncate(row.label, 24))}</text>'
        )
        out.append(
            f'<rect x="{plot_x}" y="{y + 6}" width="{_n(row.reference * scale)}" '
            f'height="{REFERENCE_HEIGHT}" fill="{escape(reference.fill)}">'
            f"<title>{escape(reference.label)}: {escape(format_value(row.reference))}</title>"
            f"</rect>"
        )
        x = Decimal(plot_x)
        for series, value in zip(parts, row.parts, strict=True):
            width = value * scale if value > 0 else Decimal(0)
            out.append(
                f'<rect x="{_n(x)}" y="{y + 20}" width="{_n(width)}" height="{STACK_HEIGHT}" '
                f'fill="{escape(series.fill)}">'
                f"<title>{escape(series.label)}: {escape(format_value(value))}</title></rect>"
            )
            x += width
        out.append(
            f'<text x="{WIDTH - VALUE_WIDTH + 8}" y="{y + 24}" fill="{TEXT_FILL}">'
            f"{escape(row.value_text)}</text>"
        )
        out.append("</g>")
    out.append("</svg>")
    # Every piece of text above went through escape(); numbers are formatted here.
    return mark_safe("".join(out))  # noqa: S308


def nice_step(raw: Decimal) -> Decimal:
    """The smallest 1, 2, 2.5 or 5 times a power of ten that is at least ``raw``: gridlines
    at 0, 250,000, 500,000, ... rather than at odd values."""
    if raw <= 0:
        return Decimal(1)
    base = Decimal(10) ** raw.adjusted()
    for factor in (Decimal(1), Decimal(2), Decimal("2.5"), Decimal(5)):
        if raw <= base * factor:
            return base * factor
    return base * 10


def _truncate(text: str, length: int) -> str:
    return text if len(text) <= length else text[: length - 1] + "…"
