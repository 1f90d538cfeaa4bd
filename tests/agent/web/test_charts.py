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


def test_gridlines_fall_on_round_numbers_above_the_highest_value() -> None:
    chart = line_chart("DSO", ["a", "b"], {"dso": [43.4, 52.1], "late": [7.3, 14.9]})
    assert [tick.text for tick in chart.ticks] == ["0", "20", "40", "60"]


def test_captions_change_the_axis_text_but_not_the_data_labels() -> None:
    chart = line_chart("DSO", ["2026-01", "2026-02"], {"dso": [1.0, 2.0]}, captions=["Jan", "Feb"])
    assert [text for _, text in chart.labels] == ["Jan", "Feb"]
    assert [point.label for point in chart.series[0].points] == ["2026-01", "2026-02"]
    bars = bar_chart("t", ["2026-11-21"], [5.0], ["$5"], ["#000"], captions=["Nov 21"])
    assert (bars.bars[0].label, bars.bars[0].caption) == ("2026-11-21", "Nov 21")
