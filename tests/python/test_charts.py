"""civcas.charts on small frames made here: the period on every time axis, shared y-scales,
legends that match their marks, the credit line, the campaign start, and the monitor-versus-UCDP
chart (drawn, or saying why not). The release's own charts are checked in test_release.py."""

from __future__ import annotations

import datetime as dt
import html
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from matplotlib.lines import Line2D
from matplotlib.patches import Patch

from civcas import charts
from civcas.charts import UCDP_CREDIT, data_period, render_charts

MONTHS = [dt.date(2016, m, 1) for m in range(1, 13)]
CREDIT = "Data: test monitor (example.org)"


def _core_frames(months=MONTHS, russia_factor: int = 10) -> dict[str, pd.DataFrame]:
    """The four core exports with the columns the charts read; Russia's figures are
    `russia_factor` times the coalition's, and Russia strikes from the third month."""
    comparison, grades, summary, admitted = [], [], [], []
    for i, month in enumerate(months):
        coalition = 5 + i
        russia = (5 + i) * russia_factor if i >= 2 else 0
        comparison.append({
            "month": month, "country_id": "syria", "is_synthetic": False,
            "coalition_alleged_incidents": 1, "coalition_alleged_killed_min": coalition,
            "coalition_alleged_killed_max": coalition + 3, "russia_alleged_incidents": 1 if russia else 0,
            "russia_alleged_killed_min": russia, "russia_alleged_killed_max": russia + 4})
        for side, count in (("coalition", coalition), ("russia", russia)):
            grades.append({"month": month, "belligerent_id": side, "country_id": "syria", "grade_group": "fair",
                           "alleged_incidents": count, "is_synthetic": False})
            summary.append({"month": month, "belligerent_id": side, "country_id": "syria", "is_synthetic": False,
                            "is_within_campaign_period": side == "coalition" or i >= 2,
                            **{f"suggested_{g}_incidents": 0 for g in charts.SUGGESTED_GRADES}})
            admitted.append({"month": month, "belligerent_id": side, "country_id": "all", "is_synthetic": False,
                             **{f"cumulative_{w}_{e}": count * (i + 1) for w in
                                ("alleged_killed", "likely_killed", "deaths_conceded") for e in ("min", "max")}})
    return {"monthly_coalition_vs_russia": pd.DataFrame(comparison), "grade_summary": pd.DataFrame(grades),
            "monthly_belligerent_summary": pd.DataFrame(summary), "admitted_vs_alleged": pd.DataFrame(admitted)}


def _monitor_frame(covered=range(3, 9)) -> pd.DataFrame:
    rows = []
    for i, month in enumerate(MONTHS):
        for side, scale in (("coalition", 1), ("russia", 3), ("all_actors", 5)):
            killed = (10 + i) * scale
            ucdp = (4 + i) * scale if i in covered else 0
            rows.append({"month": month, "side": side, "airwars_incidents": 2, "airwars_killed_min": killed,
                         "airwars_killed_max": killed + 5, "ucdp_events": 3 if i in covered else 0,
                         "ucdp_civilian_deaths": ucdp, "ucdp_best_deaths": ucdp * 2,
                         "killed_min_to_ucdp_ratio": killed / ucdp if ucdp else None,
                         "killed_max_to_ucdp_ratio": (killed + 5) / ucdp if ucdp else None,
                         "incidents_to_events_ratio": 2 / 3 if i in covered else None,
                         "is_ucdp_covered": i in covered, "is_synthetic": False})
    return pd.DataFrame(rows)


@pytest.fixture()
def drawn(monkeypatch):
    """The figures render_charts draws, by chart name (saved as usual)."""
    figures = {}
    save = charts._save

    def keep(figure, out_dir, name, title):
        figures[name] = figure
        save(figure, out_dir, name, title)

    monkeypatch.setattr(charts, "_save", keep)
    return figures


def _svg_text(path: Path) -> str:
    texts = re.findall(r"<text[^>]*>(.*?)</text>", path.read_text(encoding="utf-8"), flags=re.S)
    return " ".join(" ".join(html.unescape(t) for t in texts).split())


def _plot_axes(figure):
    return [axes for axes in figure.axes if axes.get_xlabel() or axes.get_ylabel()]


def _as_dates(limits) -> tuple[dt.date, dt.date]:
    import matplotlib.dates as mdates

    return tuple(mdates.num2date(value).date() for value in limits)


def test_every_time_axis_covers_exactly_the_period(tmp_path, drawn):
    period = (dt.date(2016, 3, 1), dt.date(2016, 8, 1))
    frames = {**_core_frames(), "monthly_monitor_comparison": _monitor_frame()}
    names = render_charts(frames, tmp_path, period=period, credit=CREDIT)
    assert set(names) == set(charts.CHART_TITLES) and len(names) == 4
    for name in names:
        for axes in _plot_axes(drawn[name]):
            assert _as_dates(axes.get_xlim()) == (dt.date(2016, 3, 1), dt.date(2016, 9, 1)), name
        # Months outside the period are not drawn: no tick reads another year.
        assert not re.search(r"\b2015\b|\b2017\b", _svg_text(tmp_path / f"{name}.svg")), name


def test_the_default_period_runs_over_the_months_with_alleged_incidents(tmp_path, drawn):
    # Trailing months without an incident (a monthly table runs on to the build's day) are left out.
    frames = _core_frames(months=[*MONTHS, dt.date(2017, 1, 1), dt.date(2017, 2, 1)])
    comparison = frames["monthly_coalition_vs_russia"]
    quiet = pd.to_datetime(comparison["month"]).dt.year == 2017
    comparison.loc[quiet, ["coalition_alleged_incidents", "russia_alleged_incidents"]] = 0
    assert data_period(comparison) == (dt.date(2016, 1, 1), dt.date(2016, 12, 1))
    render_charts(frames, tmp_path, credit=CREDIT)
    axes = _plot_axes(drawn["monthly_alleged_deaths_coalition_vs_russia"])[0]
    assert _as_dates(axes.get_xlim()) == (dt.date(2016, 1, 1), dt.date(2017, 1, 1))
    assert data_period(comparison.iloc[0:0]) is None


def test_panels_side_by_side_share_their_y_scale(tmp_path, drawn):
    frames = {**_core_frames(russia_factor=10), "monthly_monitor_comparison": _monitor_frame()}
    render_charts(frames, tmp_path, credit=CREDIT)
    for name in ("grade_mix_per_month", "cumulative_admitted_vs_alleged", "monthly_deaths_monitor_vs_ucdp"):
        panels = _plot_axes(drawn[name])
        assert len(panels) == 2, name
        assert panels[0].get_ylim() == panels[1].get_ylim(), name
    # The shared scale fits the larger side (Russia, ten times the coalition), not the first panel drawn.
    top = _plot_axes(drawn["cumulative_admitted_vs_alleged"])[0].get_ylim()[1]
    russia = frames["admitted_vs_alleged"].query("belligerent_id == 'russia'")
    assert top >= russia["cumulative_alleged_killed_max"].max()


def test_the_monthly_chart_draws_one_line_per_side_over_a_band_and_its_legend_matches(tmp_path, drawn):
    frames = _core_frames()
    render_charts(frames, tmp_path, credit=CREDIT)
    axes = _plot_axes(drawn["monthly_alleged_deaths_coalition_vs_russia"])[0]
    lines = [line for line in axes.get_lines() if len(line.get_xdata())]
    assert len(lines) == 2 and all(line.get_linewidth() >= 2 for line in lines)
    coalition, russia = lines
    comparison = frames["monthly_coalition_vs_russia"]
    assert list(coalition.get_ydata()) == list(comparison["coalition_alleged_killed_min"].astype(float))
    # Russia struck from the third month: before it, no line (not a zero).
    assert np.isnan(russia.get_ydata()[:2]).all() and not np.isnan(russia.get_ydata()[2:]).any()
    handles = axes.get_legend().legend_handles
    kinds = [(type(handle), text.get_text()) for handle, text in zip(handles, axes.get_legend().get_texts(),
                                                                        strict=True)]
    assert [k for k, t in kinds if "at least" in t] == [Line2D, Line2D]
    assert all(issubclass(k, Patch) for k, t in kinds if "up to" in t) and len(kinds) == 4


def test_every_chart_ends_with_a_plain_source_line_and_the_credit(tmp_path):
    names = render_charts({**_core_frames(), "monthly_monitor_comparison": _monitor_frame()}, tmp_path,
                          credit=CREDIT)
    for name in names:
        text = _svg_text(tmp_path / f"{name}.svg")
        assert CREDIT in text, name
        assert "Source: civcas release, file" in text, name
        assert not re.search(r"\w+_id\s*=|'syria'", text), f"{name}: SQL in the source line"


def test_synthetic_frames_get_the_synthetic_credit_and_watermark_by_default(tmp_path):
    frames = _core_frames()
    for frame in frames.values():
        frame["is_synthetic"] = True
    for name in render_charts(frames, tmp_path):
        text = _svg_text(tmp_path / f"{name}.svg")
        assert charts.SYNTHETIC_CREDIT in text and "SYNTHETIC DEMO DATA" in text, name


def test_the_ucdp_chart_marks_uncovered_months_and_states_both_totals(tmp_path, drawn):
    frame = _monitor_frame(covered=range(3, 9))
    render_charts({**_core_frames(), "monthly_monitor_comparison": frame}, tmp_path, credit=CREDIT)
    text = _svg_text(tmp_path / "monthly_deaths_monitor_vs_ucdp.svg")
    assert f"{CREDIT}; {UCDP_CREDIT}" in text
    for side, panel in zip(("coalition", "russia"), _plot_axes(drawn["monthly_deaths_monitor_vs_ucdp"]),
                           strict=True):
        rows = frame[(frame["side"] == side) & frame["is_ucdp_covered"]]
        low, high, ucdp = rows["airwars_killed_min"].sum(), rows["airwars_killed_max"].sum(), \
            rows["ucdp_civilian_deaths"].sum()
        assert (f"Over UCDP's months: {low:,}\u2013{high:,} alleged, UCDP {ucdp:,}; "
                f"{low / ucdp:.1f}\u2013{high / ucdp:.1f} times UCDP's count") in text, side
        dashed = [line for line in panel.get_lines() if line.get_linestyle() not in ("-", "None")]
        assert len(dashed) == 1, side
        covered = frame[frame["side"] == side]["is_ucdp_covered"].to_numpy()
        assert np.isnan(dashed[0].get_ydata()[~covered]).all()
        assert not np.isnan(dashed[0].get_ydata()[covered]).any()


@pytest.mark.parametrize(("frame", "says"), [
    (None, "it has no file monthly_monitor_comparison"),
    (_monitor_frame(covered=()), "no month of this release lies within the UCDP extract"),
    (_monitor_frame().drop(columns=["ucdp_civilian_deaths"]), "lacks column(s) ucdp_civilian_deaths"),
])
def test_the_ucdp_chart_says_why_it_has_nothing_to_draw(tmp_path, frame, says):
    frames = _core_frames() if frame is None else {**_core_frames(), "monthly_monitor_comparison": frame}
    render_charts(frames, tmp_path, credit=CREDIT)
    text = _svg_text(tmp_path / "monthly_deaths_monitor_vs_ucdp.svg")
    assert "No UCDP comparison" in text and says in text
    assert UCDP_CREDIT not in text  # nothing of UCDP's is drawn


def test_the_same_frames_give_the_same_bytes(tmp_path):
    frames = {**_core_frames(), "monthly_monitor_comparison": _monitor_frame()}
    first, second = tmp_path / "a", tmp_path / "b"
    render_charts(frames, first, credit=CREDIT)
    render_charts(frames, second, credit=CREDIT)
    files = sorted(p.name for p in first.iterdir())
    assert len(files) == 8
    assert all((first / f).read_bytes() == (second / f).read_bytes() for f in files)
