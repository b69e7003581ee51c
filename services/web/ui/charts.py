"""Charts drawn on the server as inline SVG: no chart library, no script, works in any
browser and prints well."""
from __future__ import annotations

from markupsafe import Markup, escape

from services.web.ui.present import duration

BAR_HEIGHT = 26
GAP = 12
LABEL_WIDTH = 70
VALUE_WIDTH = 130
WIDTH = 560


def time_to_resolve_chart(rows: list[dict]) -> Markup:
    """Horizontal bars: mean time to resolve per severity, with the longest as a tick."""
    longest = max([r["max_seconds"] or 0 for r in rows] + [1.0])
    plot = WIDTH - LABEL_WIDTH - VALUE_WIDTH
    height = len(rows) * (BAR_HEIGHT + GAP) + GAP
    parts = [f'<svg class="chart" viewBox="0 0 {WIDTH} {height}" role="img" '
             f'aria-labelledby="ttr-title" preserveAspectRatio="xMinYMin meet">',
             '<title id="ttr-title">Mean time to resolve by severity</title>']
    for index, row in enumerate(rows):
        y = GAP + index * (BAR_HEIGHT + GAP)
        name = escape(row["severity"])
        parts.append(f'<text class="chart-label" x="0" y="{y + 18}">{name}</text>')
        parts.append(f'<rect class="chart-track" x="{LABEL_WIDTH}" y="{y}" width="{plot}" '
                     f'height="{BAR_HEIGHT}" rx="3"/>')
        if row["resolved"]:
            mean = max(2.0, plot * (row["mean_seconds"] or 0) / longest)
            tick = LABEL_WIDTH + plot * (row["max_seconds"] or 0) / longest
            parts.append(f'<rect class="chart-bar chart-{name}" x="{LABEL_WIDTH}" y="{y}" '
                         f'width="{mean:.1f}" height="{BAR_HEIGHT}" rx="3">'
                         f'<title>{name}: mean {duration(row["mean_seconds"])}, longest '
                         f'{duration(row["max_seconds"])}</title></rect>')
            parts.append(f'<line class="chart-max" x1="{tick:.1f}" x2="{tick:.1f}" y1="{y - 3}" '
                         f'y2="{y + BAR_HEIGHT + 3}"/>')
            text = f'{duration(row["mean_seconds"])} ({row["resolved"]})'
        else:
            text = "none resolved"
        parts.append(f'<text class="chart-value" x="{WIDTH - VALUE_WIDTH + 8}" '
                     f'y="{y + 18}">{escape(text)}</text>')
    parts.append("</svg>")
    return Markup("".join(parts))
