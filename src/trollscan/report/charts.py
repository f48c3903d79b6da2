"""Bar charts as geometry for inline SVG: the report and the web app draw them with templates
(no script, no style attribute), so a picture works with scripts off and under a strict CSP."""

from __future__ import annotations

from dataclasses import dataclass, field

__all__ = ["Bar", "Chart", "bar_chart", "WEEKDAYS"]

WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")


@dataclass(frozen=True)
class Bar:
    x: float
    y: float
    w: float
    h: float
    series: int  # 0: the first series (flagged), 1: the second (others)
    title: str  # the tooltip: label and count


@dataclass
class Chart:
    width: int
    height: int
    bars: list[Bar] = field(default_factory=list)
    ticks: list[tuple[float, str]] = field(default_factory=list)  # x position, label
    top: int = 0  # the largest stacked value
    series: tuple[str, ...] = ()


def bar_chart(labels: list[str], series: list[list[int]], *, names: tuple[str, ...] = ("count",),
              width: int = 640, height: int = 140, max_ticks: int = 12, share: bool = False) -> Chart:
    """Stacked bars, one per label; `series` holds one list of counts per series. With `share`,
    each series is scaled to its own total (so a small group and the whole case compare)."""
    n = len(labels)
    chart = Chart(width, height, series=names)
    if not n:
        return chart
    values = [[float(v) for v in s] for s in series]
    if share:
        values = [[v / (sum(s) or 1) for v in s] for s in values]
    totals = [sum(s[i] for s in values) for i in range(n)]
    top = max(totals) or 1.0
    chart.top = int(max(sum(s[i] for s in series) for i in range(n)))
    plot_h = height - 18
    step = width / n
    gap = min(2.0, step * 0.15)
    for i, label in enumerate(labels):
        y = plot_h
        for k, s in enumerate(values):
            h = plot_h * s[i] / top
            if h <= 0:
                continue
            y -= h
            counts = ", ".join(f"{name} {int(raw[i]):,}" for name, raw in zip(names, series))
            chart.bars.append(Bar(round(i * step + gap / 2, 2), round(y, 2), round(max(step - gap, 0.5), 2),
                                  round(h, 2), k, f"{label}: {counts}"))
    every = max(1, -(-n // max_ticks))
    chart.ticks = [(round(i * step + step / 2, 1), labels[i]) for i in range(0, n, every)]
    return chart
