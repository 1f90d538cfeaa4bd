"""Chart geometry: bars and lines are drawn in proportion to the data."""

from __future__ import annotations

from agent.web.charts import bar_chart, line_chart


def test_bars_are_proportional_and_the_tallest_fills_the_plot() -> None:
    chart = bar_chart(
        "t", ["a", "b", "c"], [50.0, 100.0, -5.0], ["50", "100", "-5"], ["#000"] * 3, height=240
    )
    plot_height = 240 - 30 - 40
    assert [bar.height for bar in chart.bars] == [plot_height / 2, plot_height, 0.0]
    assert chart.bars[1].y == 30


def test_lines_skip_undefined_points_and_start_a_new_segment() -> None:
    chart = line_chart("DSO", ["Jan", "Feb", "Mar", "Apr"], {"dso": [10.0, None, 30.0, 40.0]})
    [series] = chart.series
    assert series.path.count("M") == 2
    assert series.path.count("L") == 1
    ys = [point.y for point in series.points if point.value is not None]
    assert ys[0] > ys[1] > ys[2]  # larger values are drawn higher
