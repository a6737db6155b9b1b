"""The charts of a release (``civcas release``), drawn from the released export tables.

Four charts, each written as PNG (for slides and articles) and SVG (scalable, with its
text kept as text so that it can be searched, checked for protected values and read by
screen readers):

- ``monthly_alleged_deaths_coalition_vs_russia``: civilian deaths alleged per month
  against the US-led coalition and against Russia, in Syria only, the like-for-like scope
  (the coalition also struck Iraq; Russia struck Syria only). One bold line per side: the
  sum of the minimum reported deaths, the figure every credible source supports ("at
  least"), which a newsroom can quote without overstating. Behind it, a light band up to
  the sum of the maximums shows the uncertainty without competing with the line. (The
  earlier version also drew likely deaths as a second band per side: four translucent
  bands over spiky data could not be read. Likely deaths are in the running totals and
  the release's headline figures.)
- ``grade_mix_per_month``: alleged incidents per month in Syria, for each side, stacked by
  grade. Assessed grades are solid; ungraded incidents are hatched, split by the grade
  their evidence suggests (a suggestion is not a grade) and "no suggestion";
- ``cumulative_admitted_vs_alleged``: for each side, in all countries, the running
  totals of civilian deaths alleged, likely, and admitted by the belligerent in its own
  verdicts (each a min-max band under a line of its maximum). Russia has never admitted any;
- ``monthly_deaths_monitor_vs_ucdp``: for each side, the warehouse's alleged civilian deaths
  per month in Syria (the same line and band as the first chart) beside the civilian
  deaths that UCDP's Georeferenced Event Dataset attributes to that side
  (``monthly_monitor_comparison``); months outside UCDP's extract are shaded and carry no
  UCDP line, and each panel states the two totals over the covered months and their
  ratio. Without that file, or without a UCDP month, the chart says so.

Panels of one chart share their y-scale, so that their heights compare. Every chart's
time axis covers exactly the release's period (``period``; by default the months from the
first to the last with an alleged incident), and every chart ends with a plain-language
source line and the data's credit (``credit``).

A chart drawn from synthetic data says so across its face and in its title. Whether the
data is synthetic is read from the data (the ``is_synthetic`` column, or the dataset's
flag passed in), never from a file path.

The output is deterministic: a fixed style (no user matplotlibrc), the bundled DejaVu Sans
font, a fixed SVG hash salt, no creation date; the same tables give the same bytes.
"""

from __future__ import annotations

import datetime as dt
import textwrap
from collections.abc import Mapping, Sequence
from pathlib import Path

import matplotlib

matplotlib.use("Agg")  # no display; the release runs on servers and in CI

import matplotlib.dates as mdates  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402
from matplotlib.legend_handler import HandlerTuple  # noqa: E402
from matplotlib.lines import Line2D  # noqa: E402
from matplotlib.patches import Patch  # noqa: E402
from matplotlib.ticker import MaxNLocator, StrMethodFormatter  # noqa: E402

from civcas import __version__  # noqa: E402
from civcas.release import SYNTHETIC_WARNING  # noqa: E402

Period = tuple[dt.date, dt.date]

LIKE_FOR_LIKE_COUNTRY = "syria"
ALL_COUNTRIES = "all"
SIDES = (("coalition", "US-led coalition", "#1f5fa8"), ("russia", "Russia", "#c0392b"))
# The credit lines: the dataset's own credit for real data, a plain warning for the demo.
AIRWARS_CREDIT = "Data: Airwars (airwars.org)"
SYNTHETIC_CREDIT = "Synthetic demo data made by civcas, not real events"
UCDP_CREDIT = "UCDP GED 19.1 (CC BY 4.0)"
MONITOR_COMPARISON_FILE = "monthly_monitor_comparison"
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
BAND_ALPHA = 0.2  # light enough that two overlapping bands never hide a line
UCDP_COLOUR = "#222222"
UCDP_DASHES = (0, (4, 2))
UNCOVERED_COLOUR = "#efefef"
DPI = 150
# Each chart's title, also its alternative text on the release's index.html.
CHART_TITLES = {
    "monthly_alleged_deaths_coalition_vs_russia": "Civilian deaths alleged per month: US-led coalition and Russia, in Syria",
    "grade_mix_per_month": "Alleged incidents per month by grade: US-led coalition and Russia, in Syria",
    "cumulative_admitted_vs_alleged": (
        "Civilian deaths admitted by each belligerent against those alleged (running totals, all countries)"
    ),
    "monthly_deaths_monitor_vs_ucdp": (
        "Civilian deaths per month in Syria: the monitor's alleged deaths and UCDP's count, per side"
    ),
}

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


def default_credit(synthetic: bool) -> str:
    """The credit line when the caller gives none."""
    return SYNTHETIC_CREDIT if synthetic else AIRWARS_CREDIT


def data_period(comparison: pd.DataFrame) -> Period | None:
    """The months from the first to the last with an alleged incident against either side in
    ``monthly_coalition_vs_russia`` (a monthly table may run on, empty, to the build's day);
    all its months when none has one; None when it has no rows."""
    if comparison.empty:
        return None
    months = pd.to_datetime(comparison["month"])
    counts = [f"{side}_alleged_incidents" for side, _, _ in SIDES if f"{side}_alleged_incidents" in comparison]
    alleged = comparison[counts].apply(pd.to_numeric, errors="coerce").fillna(0).to_numpy()
    active = months[(alleged > 0).any(axis=1)] if counts else months
    chosen = active if not active.empty else months
    return chosen.min().date(), chosen.max().date()


def month_after(month: dt.date) -> dt.date:
    return dt.date(month.year + month.month // 12, month.month % 12 + 1, 1)


def _in_period(frame: pd.DataFrame, period: Period | None) -> pd.DataFrame:
    if period is None or frame.empty:
        return frame
    months = pd.to_datetime(frame["month"]).dt.date
    return frame[(months >= period[0]) & (months <= period[1])]


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
    footer_lines = [line for paragraph in footer.split("\n") for line in textwrap.wrap(paragraph, 170)]
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


def _footer(source: str, credit: str) -> str:
    """The source line, and the credit on a line of its own (never split)."""
    return f"{source}\n{credit.rstrip('.')}."


def _no_data(axes, message: str = "No rows in this release") -> None:
    axes.text(0.5, 0.5, message, transform=axes.transAxes, ha="center", va="center", color="#555555",
              wrap=True)


def _save(figure: Figure, out_dir: Path, name: str, title: str) -> None:
    out_dir.mkdir(parents=True, exist_ok=True)
    figure.savefig(out_dir / f"{name}.svg", format="svg",
                   metadata={"Date": None, "Title": title, "Creator": f"civcas {__version__} (matplotlib)"})
    figure.savefig(out_dir / f"{name}.png", format="png", dpi=DPI,
                   metadata={"Title": title, "Software": f"civcas {__version__} (matplotlib)"})


def _month_axis(axes, period: Period | None) -> None:
    """Month ticks; the axis runs from the period's first month to the end of its last."""
    locator = mdates.AutoDateLocator(minticks=5, maxticks=12)
    axes.xaxis.set_major_locator(locator)
    axes.xaxis.set_major_formatter(mdates.ConciseDateFormatter(locator))
    if period is not None:
        axes.set_xlim(np.datetime64(period[0], "D"), np.datetime64(month_after(period[1]), "D"))


def _band_and_line(axes, months: np.ndarray, low: np.ndarray, high: np.ndarray, colour: str,
                   label: str) -> tuple[Patch, Line2D]:
    """A light min-max band behind a bold line of the minimum; returns the legend's marks."""
    axes.fill_between(months, low, high, color=colour, alpha=BAND_ALPHA, linewidth=0)
    axes.plot(months, low, color=colour, linewidth=2.0)
    return (Line2D([], [], color=colour, linewidth=2.0, label=f"{label}: at least (sum of minimums)"),
            Patch(facecolor=colour, alpha=BAND_ALPHA, linewidth=0, label=f"{label}: up to (sum of maximums)"))


def period_words(period: Period | None) -> str:
    """The period in words, as charts and the release page say it."""
    if period is None:
        return "no months"
    if period[0] == period[1]:
        return f"{period[0]:%B %Y}"
    return f"{period[0]:%B %Y} to {period[1]:%B %Y}"


def _campaign_starts(summary: pd.DataFrame) -> dict[str, np.datetime64]:
    """Each side's first month within its campaign (monthly_belligerent_summary's
    is_within_campaign_period, from ref_belligerents.first_strike_date): before it, the side
    was not striking, and its zero is no figure to draw."""
    if "is_within_campaign_period" not in summary:
        return {}
    rows = summary[summary["belligerent_id"].isin([side for side, _, _ in SIDES])
                   & summary["is_within_campaign_period"].fillna(False).astype(bool)]
    firsts = pd.to_datetime(rows["month"]).groupby(rows["belligerent_id"]).min()
    return {side: np.datetime64(first.date(), "D") for side, first in firsts.items()}


def _striking(months: np.ndarray, start: np.datetime64 | None) -> np.ndarray:
    """True for the months from a side's first strike on (every month when it is unknown)."""
    return months >= start if start is not None else np.ones(len(months), dtype=bool)


def chart_monthly_deaths(frame: pd.DataFrame, out_dir: Path, synthetic: bool, period: Period | None,
                         credit: str, campaign_starts: Mapping[str, np.datetime64] | None = None) -> str:
    """Alleged civilian deaths per month, coalition against Russia, Syria only: one bold line
    (sum of minimums) per side over a light band up to the sum of maximums; a side's line
    starts at its first strike (`campaign_starts`), not at a zero before it."""
    name = "monthly_alleged_deaths_coalition_vs_russia"
    title = CHART_TITLES[name]
    rows = _in_period(frame[frame["country_id"] == LIKE_FOR_LIKE_COUNTRY], period).sort_values("month")
    with matplotlib.rc_context(STYLE):
        figure = _new_figure()
        axes = figure.add_subplot()
        if rows.empty:
            _no_data(axes, "No months with data for Syria in this release")
        months = _months(rows)
        handles: list = []
        for side, label, colour in SIDES:
            striking = _striking(months, (campaign_starts or {}).get(side))
            low = np.where(striking, _values(rows, f"{side}_alleged_killed_min"), np.nan)
            high = np.where(striking, _values(rows, f"{side}_alleged_killed_max"), np.nan)
            handles += _band_and_line(axes, months, low, high, colour, label)
        axes.set_ylabel("Civilian deaths per month")
        axes.yaxis.set_major_formatter(StrMethodFormatter("{x:,.0f}"))
        axes.set_xlabel("Month of the incident")
        axes.set_ylim(bottom=0)
        _month_axis(axes, period)
        # Below the plot, not on it: a peak month must never hide behind the legend.
        axes.legend(handles=handles, loc="upper center", bbox_to_anchor=(0.5, -0.13), ncols=2, frameon=False)
        _frame(figure, title,
               f"{period_words(period)}. Line: deaths reported by the lowest credible count (sum of minimums); "
               "shaded: up to the highest (sum of maximums). An incident blamed on both sides counts for each.",
               _footer("Source: civcas release, file monthly_coalition_vs_russia.csv, Syria only (the coalition "
                       "also struck Iraq; Russia struck Syria only). Each line starts at the side's first strike.", credit),
               synthetic)
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


def chart_grade_mix(grades: pd.DataFrame, summary: pd.DataFrame, out_dir: Path, synthetic: bool,
                    period: Period | None, credit: str) -> str:
    """Alleged incidents per month in Syria, stacked by grade, ungraded split by suggestion."""
    name = "grade_mix_per_month"
    title = CHART_TITLES[name]
    with matplotlib.rc_context(STYLE):
        figure = _new_figure(height=7.4)
        panels = figure.subplots(len(SIDES), 1, sharex=True, sharey=True)
        for axes, (side, label, _colour) in zip(panels, SIDES, strict=False):
            side_grades = grades[(grades["belligerent_id"] == side) & (grades["country_id"] == LIKE_FOR_LIKE_COUNTRY)]
            side_summary = _in_period(summary[(summary["belligerent_id"] == side)
                                              & (summary["country_id"] == LIKE_FOR_LIKE_COUNTRY)],
                                      period).sort_values("month")
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
        # After every panel is drawn: the shared scale then fits the highest of them.
        panels[0].set_ylim(bottom=0)
        panels[-1].set_xlabel("Month of the incident")
        _month_axis(panels[-1], period)
        panels[0].legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), frameon=False)
        for axes in panels:
            axes.yaxis.set_major_locator(MaxNLocator(integer=True))
        _frame(figure, title,
               f"{period_words(period)}, both panels on the same scale. Solid: grade given by an assessor. "
               "Hatched: not yet graded, split by the grade the evidence suggests (a suggestion is not a grade; "
               "ungraded incidents are never counted as Weak).",
               _footer("Source: civcas release, files grade_summary.csv and monthly_belligerent_summary.csv, "
                       "Syria only. An incident blamed on both sides counts for each.", credit), synthetic)
        _save(figure, out_dir, name, title)
    return name


def chart_cumulative_admitted(frame: pd.DataFrame, out_dir: Path, synthetic: bool, period: Period | None,
                              credit: str) -> str:
    """Running totals of alleged, likely and admitted civilian deaths, per side, all countries."""
    name = "cumulative_admitted_vs_alleged"
    title = CHART_TITLES[name]
    with matplotlib.rc_context(STYLE):
        figure = _new_figure(height=7.4)
        panels = figure.subplots(len(SIDES), 1, sharex=True, sharey=True)
        series = (
            ("cumulative_alleged_killed", "alleged", "#9ecae1"),
            ("cumulative_likely_killed", "likely (Fair + Confirmed; Russia: Fair only)", "#3182bd"),
            ("cumulative_deaths_conceded", "admitted in its own verdicts", "#111111"),
        )
        handles = [(Patch(facecolor=colour, alpha=0.45, linewidth=0), Line2D([], [], color=colour, linewidth=1.6))
                   for _column, _what, colour in series]
        labels = [f"Deaths {what}" for _c, what, _k in series]
        for axes, (side, label, _colour) in zip(panels, SIDES, strict=False):
            rows = frame[(frame["belligerent_id"] == side) & (frame["country_id"] == ALL_COUNTRIES)]
            rows = _in_period(rows, period).sort_values("month")
            months = _months(rows)
            for column, _what, colour in series:
                low, high = _values(rows, f"{column}_min"), _values(rows, f"{column}_max")
                axes.fill_between(months, low, high, color=colour, alpha=0.45, linewidth=0)
                axes.plot(months, high, color=colour, linewidth=1.6)
            if rows.empty:
                _no_data(axes)
            elif side == "russia" and not np.nan_to_num(_values(rows, "cumulative_deaths_conceded_max")).any():
                axes.text(0.01, 0.55, "Russia has admitted no civilian deaths", transform=axes.transAxes,
                          fontsize=9, color="#111111")
            axes.set_title(label, loc="left", fontsize=10.5)
            axes.set_ylabel("Civilian deaths, running total")
        panels[0].set_ylim(bottom=0)  # after every panel: the shared scale fits the highest
        panels[-1].set_xlabel("Month of the incident")
        _month_axis(panels[-1], period)
        # Running totals rise to the right: the top left stays clear for the legend.
        panels[0].legend(handles, labels, handler_map={tuple: HandlerTuple(ndivide=None)}, loc="upper left",
                         frameon=False)
        for axes in panels:
            axes.yaxis.set_major_formatter(StrMethodFormatter("{x:,.0f}"))
        _frame(figure, title,
               f"{period_words(period)}, both panels on the same scale. Each line is the sum of maximums, its band "
               "runs down to the sum of minimums. Admitted = deaths the belligerent conceded in its own verdicts.",
               _footer("Source: civcas release, file admitted_vs_alleged.csv, every country. An incident "
                       "blamed on several belligerents counts for each.", credit), synthetic)
        _save(figure, out_dir, name, title)
    return name


MONITOR_COMPARISON_COLUMNS = ("month", "side", "airwars_killed_min", "airwars_killed_max", "ucdp_civilian_deaths",
                              "is_ucdp_covered", "is_synthetic")


def _covered_spans(months: np.ndarray, covered: np.ndarray) -> list[tuple[np.datetime64, np.datetime64]]:
    """The runs of months outside UCDP's extract, as (first day, first day after) spans."""
    edges = _month_edges(months)
    spans, start = [], None
    for i, is_covered in enumerate(covered):
        if not is_covered and start is None:
            start = edges[i]
        if is_covered and start is not None:
            spans.append((start, edges[i]))
            start = None
    if start is not None:
        spans.append((start, edges[-1]))
    return spans


def _ratio_words(airwars_min: float, airwars_max: float, ucdp: float) -> str:
    if ucdp <= 0:
        return (f"Over UCDP's months: {airwars_min:,.0f}\u2013{airwars_max:,.0f} alleged; "
                "UCDP attributes no civilian deaths")
    return (f"Over UCDP's months: {airwars_min:,.0f}\u2013{airwars_max:,.0f} alleged, UCDP {ucdp:,.0f}; "
            f"{airwars_min / ucdp:.1f}\u2013{airwars_max / ucdp:.1f} times UCDP's count")


def monitor_comparison_problem(frame: pd.DataFrame | None) -> str | None:
    """Why the UCDP comparison cannot be drawn (None when it can)."""
    if frame is None:
        return "No UCDP comparison in this release: it has no file monthly_monitor_comparison."
    missing = [c for c in MONITOR_COMPARISON_COLUMNS if c not in frame.columns]
    if missing:
        return f"No UCDP comparison: monthly_monitor_comparison lacks column(s) {', '.join(missing)}."
    if not frame["is_ucdp_covered"].fillna(False).astype(bool).any():
        return ("No UCDP comparison: no month of this release lies within the UCDP extract "
                "(or no UCDP file was configured for the build).")
    return None


def chart_monitor_comparison(frame: pd.DataFrame | None, out_dir: Path, synthetic: bool, period: Period | None,
                             credit: str, campaign_starts: Mapping[str, np.datetime64] | None = None) -> str:
    """The warehouse's alleged deaths per month and side beside UCDP's civilian deaths
    attributed to that side: a panel per side, one y-scale, months outside UCDP's extract
    shaded and without a UCDP line; each panel states both totals over UCDP's months and
    their ratio (a monthly ratio line would swing wildly on small counts)."""
    name = "monthly_deaths_monitor_vs_ucdp"
    title = CHART_TITLES[name]
    problem = monitor_comparison_problem(frame)
    with matplotlib.rc_context(STYLE):
        figure = _new_figure(height=6.0)
        panels = figure.subplots(1, len(SIDES), sharex=True, sharey=True)
        highest = 0.0
        for axes, (side, label, colour) in zip(panels, SIDES, strict=False):
            axes.set_title(label, loc="left", fontsize=10.5)
            axes.set_xlabel("Month of the incident")
            _month_axis(axes, period)
            if problem is not None:
                continue
            rows = _in_period(frame[frame["side"] == side], period).sort_values("month")
            months = _months(rows)
            covered = rows["is_ucdp_covered"].fillna(False).astype(bool).to_numpy()
            for start, end in _covered_spans(months, covered):
                axes.axvspan(start, end, color=UNCOVERED_COLOUR, linewidth=0, zorder=0)
            striking = _striking(months, (campaign_starts or {}).get(side))
            low = np.where(striking, _values(rows, "airwars_killed_min"), np.nan)
            high = np.where(striking, _values(rows, "airwars_killed_max"), np.nan)
            _band_and_line(axes, months, low, high, colour, "Monitor")
            ucdp = np.where(covered, _values(rows, "ucdp_civilian_deaths"), np.nan)
            axes.plot(months, ucdp, color=UCDP_COLOUR, linewidth=1.3, linestyle=UCDP_DASHES)
            highest = max(highest, float(np.nanmax(np.append(np.concatenate([low, high, ucdp]), 0.0))))
            axes.text(0.01, 0.98, textwrap.fill(_ratio_words(float(np.nansum(np.where(covered, low, np.nan))),
                                                             float(np.nansum(np.where(covered, high, np.nan))),
                                                             float(np.nansum(ucdp))), 62),
                      transform=axes.transAxes, fontsize=8, va="top", color="#111111")
            axes.legend(handles=[
                Line2D([], [], color=colour, linewidth=2.0, label="Monitor: alleged, at least (sum of minimums)"),
                Patch(facecolor=colour, alpha=BAND_ALPHA, linewidth=0, label="Monitor: up to (sum of maximums)"),
                Line2D([], [], color=UCDP_COLOUR, linewidth=1.3, linestyle=UCDP_DASHES,
                       label="UCDP: civilian deaths, events of this side"),
                Patch(facecolor=UNCOVERED_COLOUR, linewidth=0, label="Month outside UCDP's extract"),
            ], loc="upper left", bbox_to_anchor=(0.0, -0.16), ncols=1, frameon=False)
        panels[0].set_ylabel("Civilian deaths per month")
        for axes in panels:
            axes.yaxis.set_major_formatter(StrMethodFormatter("{x:,.0f}"))
        if problem is not None:
            for axes in panels:
                axes.set_ylim(0, 1)
                axes.set_yticks([])
            figure.text(0.5, 0.64, textwrap.fill(problem, 70), ha="center", va="center", fontsize=12,
                        color="#333333", bbox={"facecolor": "white", "edgecolor": "#999999", "pad": 8})
        else:
            # Headroom above the highest month for each panel's totals.
            panels[0].set_ylim(0, max(highest, 1.0) * 1.22)
        _frame(figure, title,
               f"{period_words(period)}, both panels on the same scale. UCDP counts deaths in events it attributes "
               "to a side from its own sources; the two counts differ in method, not only in number.",
               _footer("Source: civcas release, file monthly_monitor_comparison.csv, Syria only." if problem is None
                       else "Source: civcas release; nothing of UCDP's to draw.",
                       credit if problem else f"{credit.rstrip('.')}; {UCDP_CREDIT}"), synthetic)
        _save(figure, out_dir, name, title)
    return name


def render_charts(frames: Mapping[str, pd.DataFrame], out_dir: Path, *, dataset_is_synthetic: bool = False,
                  period: Period | None = None, credit: str | None = None) -> list[str]:
    """Draw every chart of a release into `out_dir` (PNG + SVG); return the chart names.

    `period` (first month, last month) is the time axis of every chart; None: the data's own
    months (``data_period``). `credit` is the plain-language credit line; None: Airwars for
    real data, the synthetic notice for the demo."""
    comparison = _need(frames, "monthly_coalition_vs_russia", ["month", "country_id", "is_synthetic", *(
        f"{side}_alleged_killed_{end}" for side, _, _ in SIDES for end in ("min", "max"))],
        "monthly_alleged_deaths_coalition_vs_russia")
    grades = _need(frames, "grade_summary", ["month", "belligerent_id", "country_id", "grade_group",
                                             "alleged_incidents", "is_synthetic"], "grade_mix_per_month")
    summary = _need(frames, "monthly_belligerent_summary", ["month", "belligerent_id", "country_id", "is_synthetic",
                                                            *(f"suggested_{g}_incidents" for g in SUGGESTED_GRADES)],
                    "grade_mix_per_month")
    admitted = _need(frames, "admitted_vs_alleged", ["month", "belligerent_id", "country_id", "is_synthetic", *(
        f"cumulative_{what}_{end}" for what in ("alleged_killed", "likely_killed", "deaths_conceded")
        for end in ("min", "max"))], "cumulative_admitted_vs_alleged")
    monitor = frames.get(MONITOR_COMPARISON_FILE)
    if period is None:
        period = data_period(comparison)
    everything = [comparison, grades, summary, admitted, *([monitor] if monitor is not None else [])]
    # The UCDP chart, drawn or not, belongs to a release whose data may be synthetic.
    synthetic_release = is_synthetic(*everything, dataset_is_synthetic=dataset_is_synthetic)
    if credit is None:
        credit = default_credit(synthetic_release)
    return [
        chart_monthly_deaths(comparison, out_dir,
                             is_synthetic(comparison, dataset_is_synthetic=dataset_is_synthetic), period, credit,
                             _campaign_starts(summary)),
        chart_grade_mix(grades, summary, out_dir,
                        is_synthetic(grades, summary, dataset_is_synthetic=dataset_is_synthetic), period, credit),
        chart_cumulative_admitted(admitted, out_dir,
                                  is_synthetic(admitted, dataset_is_synthetic=dataset_is_synthetic), period, credit),
        chart_monitor_comparison(monitor, out_dir, synthetic_release, period, credit, _campaign_starts(summary)),
    ]
