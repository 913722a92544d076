"""The trend chart: a trend's shares per year as the points of a small SVG line chart, and
the trend of a results page's query."""

from __future__ import annotations

from dataclasses import dataclass

from django import template

from search.errors import IndexUnavailable
from search.query import QueryTooLong
from search.trends import Trend, trend

register = template.Library()

# The chart's drawing area (SVG user units; the picture scales to the page's width).
WIDTH, HEIGHT = 600, 150
LEFT, RIGHT, TOP, BOTTOM = 44, 24, 12, 26
INSET = 20
# A series' colour, in order: distinct also for readers who do not tell red from green.
COLOURS = ("#9b1c1c", "#1d4ed8", "#b45309", "#047857", "#6d28d9")


@dataclass(frozen=True)
class Point:
    x: float
    y: float
    year: int
    articles: int
    total: int
    percent: float

    @property
    def share_label(self) -> str:
        return f"{self.percent:.1f}%"


@dataclass(frozen=True)
class Line:
    query: str
    colour: str
    points: tuple[Point, ...]

    @property
    def path(self) -> str:
        return " ".join(f"{p.x:.1f},{p.y:.1f}" for p in self.points)


@dataclass(frozen=True)
class Bar:
    """A year's matching articles, as a bar behind the share line (one series only)."""

    x: float
    y: float
    width: float
    height: float


@dataclass(frozen=True)
class Tick:
    x: float
    label: str


@register.simple_tag
def search_trend(form, outcome) -> Trend | None:
    """The trend of a results page's query under its filters (the year's aside); None for
    the empty query, for no match, or when the index cannot say."""
    if outcome is None or outcome.query.is_empty or not outcome.total or not form.is_valid():
        return None
    try:
        found = trend(queries=[form.cleaned_data["q"]], filters=form.filters())
    except (IndexUnavailable, QueryTooLong):
        return None
    return found if found.has_matches and found.years else None


@register.inclusion_tag("includes/trend_chart.html", takes_context=True)
def trend_chart(context, trend: Trend) -> dict:
    """The chart of `trend`: a line per series of its share of each year's articles, on a
    scale up to the largest share (with one series, bars of its matching articles behind
    it), with the numbers as a table beside it."""
    years = trend.years
    top = max((y.share for s in trend.series for y in s.years), default=0.0) or 1.0
    span = max(len(years) - 1, 1)
    inner_w, inner_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM

    def x(index: int) -> float:
        # The first and last years stand in from the axes, leaving room for their bars.
        return (
            LEFT
            + INSET
            + ((inner_w - 2 * INSET) * index / span if len(years) > 1 else inner_w / 2 - INSET)
        )

    lines = tuple(
        Line(
            query=series.query,
            colour=COLOURS[number % len(COLOURS)],
            points=tuple(
                Point(
                    x=x(index),
                    y=TOP + inner_h * (1 - year.share / top),
                    year=year.year,
                    articles=year.articles,
                    total=year.total,
                    percent=year.share * 100,
                )
                for index, year in enumerate(series.years)
            ),
        )
        for number, series in enumerate(trend.series)
    )
    # With one series, its matching articles per year stand behind the line as bars, on
    # their own scale (the largest count reaches the top): how many, beside what share.
    bars: tuple[Bar, ...] = ()
    most = max((y.articles for y in trend.series[0].years), default=0) if lines else 0
    if len(lines) == 1 and most:
        bar_width = min(36.0, inner_w / max(len(years), 1) * 0.6)
        bars = tuple(
            Bar(
                x=point.x - bar_width / 2,
                y=TOP + inner_h * (1 - point.articles / most),
                width=bar_width,
                height=inner_h * point.articles / most,
            )
            for point in lines[0].points
        )
    # Every year's label where there is room, else about eight of them.
    step = max(1, -(-len(years) // 8))
    ticks = tuple(Tick(x(i), str(year)) for i, year in enumerate(years) if i % step == 0)
    return {
        "request": context.get("request"),
        "trend": trend,
        "lines": lines,
        "bars": bars,
        "most": most,
        "ticks": ticks,
        "width": WIDTH,
        "height": HEIGHT,
        "left": LEFT,
        "right_edge": WIDTH - RIGHT,
        "top": TOP,
        "baseline": HEIGHT - BOTTOM,
        "label_y": HEIGHT - 8,
        "top_percent": top * 100,
        "rows": [
            {"year": year, "total": total, "cells": [line.points[i] for line in lines]}
            for i, (year, total) in enumerate(zip(years, trend.totals, strict=True))
        ],
    }
