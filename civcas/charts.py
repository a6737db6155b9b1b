"""The charts of a release (``civcas release``), drawn from the released export tables.

Three charts, each written as PNG (for slides and articles) and SVG (scalable, with its
text kept as text so that it can be searched, checked for protected values and read by
screen readers):

- ``monthly_alleged_deaths_coalition_vs_russia``: civilian deaths alleged per month
  against the US-led coalition and against Russia, in Syria only, the like-for-like scope
  (the coalition also struck Iraq; Russia struck Syria only). Each side's alleged deaths
  are a min-max band; its likely deaths (Fair + Confirmed; Fair only for Russia) a darker
  band edged by a line with markers;
- ``grade_mix_per_month``: alleged incidents per month in Syria, for each side, stacked by
  grade. Assessed grades are solid; ungraded incidents are hatched, split by the grade
  their evidence suggests (a suggestion is not a grade) and "no suggestion";
- ``cumulative_admitted_vs_alleged``: for each side, in all countries, the running
  totals of civilian deaths alleged, likely, and admitted by the belligerent in its own
  verdicts (each a min-max band). Russia has never admitted any.

A chart drawn from synthetic data says so across its face and in its title. Whether the
data is synthetic is read from the data (the ``is_synthetic`` column, or the dataset's
flag passed in), never from a file path.

The output is deterministic: a fixed style (no user matplotlibrc), the bundled DejaVu Sans
font, a fixed SVG hash salt, no creation date; the same tables give the same bytes.
"""

from __future__ import annotations

import textwrap
from collections.abc import Mapping, Sequence
from pathlib import Path

import matplotlib

matplotlib.use("Agg")  # no display; the release runs on servers and in CI

import matplotlib.dates as mdates  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402
from matplotlib.ticker import MaxNLocator, StrMethodFormatter  # noqa: E402

from civcas import __version__  # noqa: E402
from civcas.release import SYNTHETIC_WARNING  # noqa: E402

LIKE_FOR_LIKE_COUNTRY = "syria"
ALL_COUNTRIES = "all"
SIDES = (("coalition", "US-led coalition", "#1f5fa8"), ("russia", "Russia", "#c0392b"))
GRADE_COLOURS = {
    "confirmed": "#1b7837",
    "fair": "#7fbf7b",
    "weak": "#f1b6da",
    "contested": "#e08214",
    "discounted": "#8c8c8c",
}
GRADE_ORDER = ("confirmed", "fair", "weak", "contested", "discounted")
SUGGESTED_GRADES = ("confirmed", "fair", "weak", "contested")  # Discounted is never suggested
NO_SUGGESTION_COLOUR = "#d9d9d9"
DPI = 150

# Fixed style: the same figure whatever matplotlibrc the user has.
STYLE = {
    "font.family": "DejaVu Sans",
    "font.size": 10,
    "axes.titlesize": 12,
    "axes.labelsize": 10,
    "legend.fontsize": 8.5,
    "xtick.labelsize": 9,
    "ytick.labelsize": 9,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.grid": True,
    "grid.color": "#e5e5e5",
    "grid.linewidth": 0.6,
    "svg.hashsalt": "civcas-release",
    "svg.fonttype": "none",  # text stays text: searchable, scannable, accessible
    "path.simplify": True,
    "hatch.linewidth": 0.6,
    "date.converter": "concise",
}


class ChartDataError(ValueError):
    """An export lacks what a chart needs."""


def _need(frames: Mapping[str, pd.DataFrame], file: str, columns: Sequence[str], chart: str) -> pd.DataFrame:
    if file not in frames:
        raise ChartDataError(f"chart {chart} needs the release file {file}, which the manifest does not declare")
    frame = frames[file]
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise ChartDataError(f"chart {chart} needs column(s) {', '.join(missing)} of release file {file}")
    return frame


def is_synthetic(*frames: pd.DataFrame, dataset_is_synthetic: bool = False) -> bool:
    """True when the dataset or any row of the frames is synthetic."""
    return dataset_is_synthetic or any(
        bool(frame["is_synthetic"].fillna(False).astype(bool).any()) for frame in frames if "is_synthetic" in frame
    )


def _months(frame: pd.DataFrame) -> np.ndarray:
    return pd.to_datetime(frame["month"]).to_numpy(dtype="datetime64[D]")


def _values(frame: pd.DataFrame, column: str) -> np.ndarray:
    # Unknown stays unknown: a null is a gap in the line, never a zero.
    return pd.to_numeric(frame[column], errors="coerce").astype(float).to_numpy()


def _new_figure(height: float = 5.2) -> Figure:
    return Figure(figsize=(11, height), dpi=DPI, layout="constrained")


def _frame(figure: Figure, title: str, subtitle: str, footer: str, synthetic: bool) -> None:
    """Title block at the top, source line at the bottom, watermark across: the layout leaves
    room for them (constrained layout does not see figure texts)."""
    height_pt = figure.get_figheight() * 72
    lines: list[tuple[str, float, str, str]] = []
    if synthetic:
        lines.append((SYNTHETIC_WARNING, 13, "bold", "#b00020"))
    lines.append((title, 12, "bold", "black"))
    lines += [(line, 9.5, "normal", "#333333") for line in textwrap.wrap(subtitle, 140)]
    y = 1 - 8 / height_pt
    for text, size, weight, colour in lines:
        figure.text(0.01, y, text, fontsize=size, fontweight=weight, color=colour, ha="left", va="top")
        y -= size * 1.35 / height_pt
    footer_lines = textwrap.wrap(footer, 170)
    for i, line in enumerate(reversed(footer_lines)):
        figure.text(0.01, (4 + i * 10) / height_pt, line, fontsize=7.5, color="#555555", ha="left", va="bottom")
    bottom = (8 + 10 * len(footer_lines)) / height_pt
    figure.get_layout_engine().set(rect=(0, bottom, 1, y - 4 / height_pt - bottom))
    if synthetic:
        # Across the plot, behind nothing: a cropped or cited chart still carries it.
        centre = bottom + (y - bottom) / 2
        for text, size, va in (("SYNTHETIC DEMO DATA", 38, "bottom"), ("not real casualty figures", 24, "top")):
            figure.text(0.5, centre, text, fontsize=size, color="#b00020", alpha=0.2, rotation=12,
                        rotation_mode="anchor", ha="center", va=va, fontweight="bold", zorder=100)


def _no_data(axes, message: str = "No rows in this release") -> None:
    axes.text(0.5, 0.5, message, transform=axes.transAxes, ha="center", va="center", color="#555555")


def _save(figure: Figure, out_dir: Path, name: str, title: str) -> None:
    out_dir.mkdir(parents=True, exist_ok=True)
    figure.savefig(out_dir / f"{name}.svg", format="svg",
                   metadata={"Date": None, "Title": title, "Creator": f"civcas {__version__} (matplotlib)"})
    figure.savefig(out_dir / f"{name}.png", format="png", dpi=DPI,
                   metadata={"Title": title, "Software": f"civcas {__version__} (matplotlib)"})


def _month_axis(axes) -> None:
    locator = mdates.AutoDateLocator(minticks=5, maxticks=12)
    axes.xaxis.set_major_locator(locator)
    axes.xaxis.set_major_formatter(mdates.ConciseDateFormatter(locator))


def chart_monthly_deaths(frame: pd.DataFrame, out_dir: Path, synthetic: bool) -> str:
    """Alleged and likely civilian deaths per month, coalition against Russia, Syria only."""
    name = "monthly_alleged_deaths_coalition_vs_russia"
    title = "Civilian deaths alleged per month: US-led coalition and Russia, in Syria"
    rows = frame[frame["country_id"] == LIKE_FOR_LIKE_COUNTRY].sort_values("month")
    with matplotlib.rc_context(STYLE):
        figure = _new_figure()
        axes = figure.add_subplot()
        if rows.empty:
            _no_data(axes, f"No rows for country_id = '{LIKE_FOR_LIKE_COUNTRY}' in this release")
        months = _months(rows)
        for side, label, colour in SIDES:
            alleged_min, alleged_max = _values(rows, f"{side}_alleged_killed_min"), _values(rows, f"{side}_alleged_killed_max")
            likely_min, likely_max = _values(rows, f"{side}_likely_killed_min"), _values(rows, f"{side}_likely_killed_max")
            axes.fill_between(months, alleged_min, alleged_max, color=colour, alpha=0.18, linewidth=0,
                              label=f"{label}: alleged deaths (min\u2013max)")
            axes.plot(months, alleged_max, color=colour, linewidth=0.7, alpha=0.6)
            axes.fill_between(months, likely_min, likely_max, color=colour, alpha=0.45, linewidth=0)
            axes.plot(months, likely_max, color=colour, linewidth=1.4, marker="o", markersize=2.6,
                      label=f"{label}: likely deaths (min\u2013max, line = max)")
        axes.set_ylabel("Civilian deaths per month")
        axes.yaxis.set_major_formatter(StrMethodFormatter("{x:,.0f}"))
        axes.set_xlabel("Month of the incident")
        axes.set_ylim(bottom=0)
        _month_axis(axes)
        # Below the plot, not on it: a peak month must never hide behind the legend.
        axes.legend(loc="upper center", bbox_to_anchor=(0.5, -0.13), ncols=2, frameon=False)
        _frame(figure, title,
               "Bands: sum of minimum to sum of maximum reported deaths. Likely = Fair + Confirmed (Russia: Fair "
               "only). An incident blamed on both sides counts for each.",
               "Source: civcas release, export monthly_coalition_vs_russia (country_id = 'syria', the "
               "like-for-like scope: the coalition also struck Iraq, Russia struck Syria only).", synthetic)
        _save(figure, out_dir, name, title)
    return name


def _month_edges(months: np.ndarray) -> np.ndarray:
    """Each month's first day, and the first day after the last month: the edges of step areas."""
    if len(months) == 0:
        return months
    last = pd.Timestamp(months[-1]) + pd.offsets.MonthBegin(1)
    return np.append(months, np.datetime64(last.date(), "D"))


def _stack(axes, edges: np.ndarray, bottom: np.ndarray, counts: np.ndarray, **style) -> np.ndarray:
    """One layer of a stacked step area (a bar per month, drawn as one polygon); returns the new top."""
    top = bottom + counts
    if len(edges):
        axes.fill_between(edges, np.append(bottom, bottom[-1]), np.append(top, top[-1]), step="post", **style)
    else:
        axes.fill_between([], [], [], **style)
    return top


def chart_grade_mix(grades: pd.DataFrame, summary: pd.DataFrame, out_dir: Path, synthetic: bool) -> str:
    """Alleged incidents per month in Syria, stacked by grade, ungraded split by suggestion."""
    name = "grade_mix_per_month"
    title = "Alleged incidents per month by grade: US-led coalition and Russia, in Syria"
    with matplotlib.rc_context(STYLE):
        figure = _new_figure(height=7.4)
        panels = figure.subplots(len(SIDES), 1, sharex=True)
        for axes, (side, label, _colour) in zip(panels, SIDES, strict=False):
            side_grades = grades[(grades["belligerent_id"] == side) & (grades["country_id"] == LIKE_FOR_LIKE_COUNTRY)]
            side_summary = summary[(summary["belligerent_id"] == side)
                                   & (summary["country_id"] == LIKE_FOR_LIKE_COUNTRY)].sort_values("month")
            pivot = (side_grades.pivot_table(index="month", columns="grade_group", values="alleged_incidents",
                                             aggfunc="sum", fill_value=0)
                     .reindex(side_summary["month"], fill_value=0))
            edges = _month_edges(_months(side_summary))
            bottom = np.zeros(len(side_summary))

            def column(frame: pd.DataFrame, name: str, rows: int = len(side_summary)) -> np.ndarray:
                if name not in frame:
                    return np.zeros(rows)
                return np.nan_to_num(pd.to_numeric(frame[name], errors="coerce").astype(float).to_numpy())

            for grade in GRADE_ORDER:
                bottom = _stack(axes, edges, bottom, column(pivot, grade), color=GRADE_COLOURS[grade], linewidth=0,
                                label=f"{grade.capitalize()} (assessed)")
            ungraded = column(pivot, "ungraded")
            suggested_total = np.zeros(len(side_summary))
            for grade in SUGGESTED_GRADES:
                counts = column(side_summary, f"suggested_{grade}_incidents")
                bottom = _stack(axes, edges, bottom, counts, facecolor="white", edgecolor=GRADE_COLOURS[grade],
                                hatch="////", linewidth=0, label=f"Ungraded, evidence suggests {grade.capitalize()}")
                suggested_total += counts
            _stack(axes, edges, bottom, np.clip(ungraded - suggested_total, 0, None), facecolor="white",
                   edgecolor="#8a8a8a", hatch="....", linewidth=0, label="Ungraded, no suggestion")
            if side_summary.empty:
                _no_data(axes)
            axes.set_title(label, loc="left", fontsize=10.5)
            axes.set_ylabel("Alleged incidents per month")
            axes.set_ylim(bottom=0)
        panels[-1].set_xlabel("Month of the incident")
        _month_axis(panels[-1])
        panels[0].legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), frameon=False)
        for axes in panels:
            axes.yaxis.set_major_locator(MaxNLocator(integer=True))
        _frame(figure, title,
               "Solid: grade given by an assessor. Hatched: not yet graded, split by the grade the evidence "
               "suggests (a suggestion is not a grade; ungraded incidents are never counted as Weak).",
               "Source: civcas release, exports grade_summary and monthly_belligerent_summary "
               "(country_id = 'syria'). An incident blamed on both sides counts for each.", synthetic)
        _save(figure, out_dir, name, title)
    return name


def chart_cumulative_admitted(frame: pd.DataFrame, out_dir: Path, synthetic: bool) -> str:
    """Running totals of alleged, likely and admitted civilian deaths, per side, all countries."""
    name = "cumulative_admitted_vs_alleged"
    title = "Civilian deaths admitted by each belligerent against those alleged (running totals, all countries)"
    with matplotlib.rc_context(STYLE):
        figure = _new_figure(height=7.4)
        panels = figure.subplots(len(SIDES), 1, sharex=True)
        series = (
            ("cumulative_alleged_killed", "alleged", "#9ecae1", 0.55),
            ("cumulative_likely_killed", "likely (Fair + Confirmed; Russia: Fair only)", "#3182bd", 0.6),
            ("cumulative_deaths_conceded", "admitted in its own verdicts", "#111111", 0.85),
        )
        for axes, (side, label, _colour) in zip(panels, SIDES, strict=False):
            rows = frame[(frame["belligerent_id"] == side) & (frame["country_id"] == ALL_COUNTRIES)]
            rows = rows.sort_values("month")
            months = _months(rows)
            for column, what, colour, alpha in series:
                low, high = _values(rows, f"{column}_min"), _values(rows, f"{column}_max")
                axes.fill_between(months, low, high, color=colour, alpha=alpha, linewidth=0,
                                  label=f"Deaths {what} (min\u2013max)")
                axes.plot(months, high, color=colour, linewidth=1.2)
            if rows.empty:
                _no_data(axes)
            elif side == "russia" and not np.nan_to_num(_values(rows, "cumulative_deaths_conceded_max")).any():
                axes.text(0.01, 0.9, "Russia has admitted no civilian deaths", transform=axes.transAxes,
                          fontsize=9, color="#111111")
            axes.set_title(label, loc="left", fontsize=10.5)
            axes.set_ylabel("Civilian deaths, running total")
            axes.set_ylim(bottom=0)
        panels[-1].set_xlabel("Month of the incident")
        _month_axis(panels[-1])
        # Running totals rise to the right: the top left stays clear for the legend.
        panels[0].legend(loc="upper left", frameon=False)
        for axes in panels:
            axes.yaxis.set_major_formatter(StrMethodFormatter("{x:,.0f}"))
        _frame(figure, title,
               "Bands run from the sum of minimums to the sum of maximums; admitted = deaths the belligerent "
               "conceded in its own verdicts.",
               "Source: civcas release, export admitted_vs_alleged (country_id = 'all'). An incident "
               "blamed on several belligerents counts for each.", synthetic)
        _save(figure, out_dir, name, title)
    return name


def render_charts(frames: Mapping[str, pd.DataFrame], out_dir: Path, *, dataset_is_synthetic: bool = False) -> list[str]:
    """Draw every chart of a release into `out_dir` (PNG + SVG); return the chart names."""
    comparison = _need(frames, "monthly_coalition_vs_russia", ["month", "country_id", "is_synthetic", *(
        f"{side}_{kind}_killed_{end}" for side, _, _ in SIDES for kind in ("alleged", "likely")
        for end in ("min", "max"))], "monthly_alleged_deaths_coalition_vs_russia")
    grades = _need(frames, "grade_summary", ["month", "belligerent_id", "country_id", "grade_group",
                                             "alleged_incidents", "is_synthetic"], "grade_mix_per_month")
    summary = _need(frames, "monthly_belligerent_summary", ["month", "belligerent_id", "country_id", "is_synthetic",
                                                            *(f"suggested_{g}_incidents" for g in SUGGESTED_GRADES)],
                    "grade_mix_per_month")
    admitted = _need(frames, "admitted_vs_alleged", ["month", "belligerent_id", "country_id", "is_synthetic", *(
        f"cumulative_{what}_{end}" for what in ("alleged_killed", "likely_killed", "deaths_conceded")
        for end in ("min", "max"))], "cumulative_admitted_vs_alleged")
    return [
        chart_monthly_deaths(comparison, out_dir,
                             is_synthetic(comparison, dataset_is_synthetic=dataset_is_synthetic)),
        chart_grade_mix(grades, summary, out_dir,
                        is_synthetic(grades, summary, dataset_is_synthetic=dataset_is_synthetic)),
        chart_cumulative_admitted(admitted, out_dir,
                                  is_synthetic(admitted, dataset_is_synthetic=dataset_is_synthetic)),
    ]
