"""The release's ``index.html``: the page a journalist opens first.

It gives the headline figures (alleged and likely civilian deaths per side in Syria over
the release's period, and what each side admitted, summed from the released
``monthly_coalition_vs_russia`` table), the charts, every file with its row count and a
one-line description, the counting rules, the credits and licence note, and the synthetic
warning when the data is synthetic.

The page is self-contained: inline CSS, no script, no font or image from the web; the
charts are relative links to the release's own PNG files, and a Content-Security-Policy
meta tag forbids everything else, so opening it sends no request off the machine. Every
value is HTML-escaped. The same release facts give the same bytes.
"""

from __future__ import annotations

import datetime as dt
import html
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from civcas.charts import (
    CHART_TITLES,
    LIKE_FOR_LIKE_COUNTRY,
    SIDES,
    UCDP_CREDIT,
    Period,
    data_period,
    period_words,
)
from civcas.release import COUNTING_RULES, SYNTHETIC_WARNING

INDEX_NAME = "index.html"
CONTENT_SECURITY_POLICY = "default-src 'none'; img-src 'self' data:; style-src 'unsafe-inline'"
# Licence notes: the dataset's terms as its README states them (../shared/data/external/).
UCDP_LICENCE = ("UCDP GED is published under CC BY 4.0: cite Sundberg & Melander 2013 (Journal of Peace "
                "Research 50(4)) and Högbladh 2019 (UCDP GED codebook 19.1).")
CODE_LICENCE = "civcas code: MIT licence."


@dataclass(frozen=True)
class Headline:
    """One side's figures over the release's period (None: unknown)."""

    side: str
    label: str
    alleged_incidents: int
    alleged_killed: tuple[int | None, int | None]
    likely_killed: tuple[int | None, int | None]
    admitted_killed: tuple[int | None, int | None]


@dataclass(frozen=True)
class PageFile:
    """One file (or folder) of the release as the page lists it."""

    path: str
    description: str
    rows: int | None = None
    also: str | None = None  # a twin, e.g. the Parquet file of a CSV


@dataclass(frozen=True)
class ReleasePage:
    """Everything ``index.html`` says, gathered by the release (``page_for_release``)."""

    name: str
    is_synthetic: bool
    period: Period | None
    credit: str
    licence_notes: tuple[str, ...]
    headlines: tuple[Headline, ...]
    charts: tuple[str, ...]
    files: tuple[PageFile, ...]
    counting_rules: tuple[str, ...] = COUNTING_RULES
    datasets: tuple[str, ...] = ()
    as_of: str | None = None
    built: str = ""
    notes: tuple[str, ...] = field(default_factory=tuple)


# --------------------------------------------------------------------------- facts


def _month(value: object) -> dt.date | None:
    if not value:
        return None
    try:
        return dt.date.fromisoformat(str(value)[:10]).replace(day=1)
    except ValueError:
        return None


def release_period(build_vars: Mapping, comparison: pd.DataFrame) -> Period | None:
    """The build's period (dbt vars civcas_first_month..civcas_last_month, as far as given),
    else the data's own months (``civcas.charts.data_period``)."""
    from_data = data_period(comparison)
    first, last = _month(build_vars.get("civcas_first_month")), _month(build_vars.get("civcas_last_month"))
    if first is None and last is None:
        return from_data
    if from_data is None and (first is None or last is None):
        return None
    return first or from_data[0], last or from_data[1]


def licence_notes(datasets: Sequence[Mapping], has_ucdp: bool) -> tuple[str, ...]:
    """The terms of each dataset, from its own row (dim_datasets: licence, is_redistributable, credit)."""
    notes = []
    for dataset in datasets:
        name = dataset.get("dataset_name") or dataset.get("dataset_id")
        licence, credit = dataset.get("licence") or "not stated", dataset.get("credit") or "the source"
        if dataset.get("is_redistributable"):
            notes.append(f"{name}: free to share (licence: {licence}). Credit: {credit}.")
        else:
            notes.append(f"{name}: NOT licensed for redistribution (licence: {licence}). Credit \"{credit}\" "
                         "wherever you use it, and check the source's terms before you publish these files.")
    if has_ucdp:
        notes.append(UCDP_LICENCE)
    return (*notes, CODE_LICENCE)


def _total(rows: pd.DataFrame, column: str) -> int | None:
    """A sum of the known values; None when every value is unknown (never a zero)."""
    if column not in rows:
        return None
    values = pd.to_numeric(rows[column], errors="coerce")
    return None if values.isna().all() else int(values.sum())


def headlines(comparison: pd.DataFrame, period: Period | None) -> tuple[Headline, ...]:
    """Each side's totals in Syria over the period, from monthly_coalition_vs_russia."""
    rows = comparison[comparison["country_id"] == LIKE_FOR_LIKE_COUNTRY]
    if period is not None and not rows.empty:
        months = pd.to_datetime(rows["month"]).dt.date
        rows = rows[(months >= period[0]) & (months <= period[1])]
    result = []
    for side, label, _colour in SIDES:
        def pair(what: str, side: str = side) -> tuple[int | None, int | None]:
            return _total(rows, f"{side}_{what}_min"), _total(rows, f"{side}_{what}_max")

        result.append(Headline(side, label, _total(rows, f"{side}_alleged_incidents") or 0,
                               pair("alleged_killed"), pair("likely_killed"), pair("deaths_conceded")))
    return tuple(result)


def first_sentence(text: str) -> str:
    """A model description's first sentence, without the model it is built from (", from fct_x.")."""
    text = " ".join(text.split())
    end = text.find(". ")
    sentence = text if end < 0 else text[:end + 1]
    return re.sub(r",? from [a-z][a-z0-9_]*\.$", ".", sentence)


# --------------------------------------------------------------------------- HTML

_CSS = """
body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,"DejaVu Sans",sans-serif;margin:0;color:#1a1a1a;
background:#fafafa;line-height:1.45}
main{max-width:1100px;margin:0 auto;padding:1.5rem 1.25rem 3rem}
h1{font-size:1.7rem;margin:.2rem 0 .4rem}h2{font-size:1.25rem;margin:2rem 0 .6rem;border-bottom:1px solid #ddd;
padding-bottom:.2rem}
.lede{color:#444;margin:.2rem 0 1rem}
.synthetic{background:#b00020;color:#fff;padding:.8rem 1.25rem;font-weight:bold;font-size:1.1rem}
.synthetic span{display:block;font-weight:normal;font-size:.95rem}
.cards{display:flex;flex-wrap:wrap;gap:1rem}
.card{flex:1 1 320px;background:#fff;border:1px solid #ddd;border-top:6px solid var(--side);padding:.8rem 1rem}
.card h3{margin:0 0 .4rem;font-size:1.1rem}
.figure{font-size:1.9rem;font-weight:bold;color:var(--side);margin:0}
.card dl{margin:.4rem 0 0;display:grid;grid-template-columns:auto 1fr;gap:.15rem .8rem}
.card dt{color:#555}.card dd{margin:0;font-weight:600}
figure{margin:1rem 0 2rem;background:#fff;border:1px solid #ddd;padding:.5rem}
figure img{width:100%;height:auto;display:block}
figcaption{font-size:.9rem;color:#444;margin-top:.3rem}
table{border-collapse:collapse;width:100%;background:#fff;font-size:.92rem}
th,td{border:1px solid #ddd;padding:.35rem .5rem;text-align:left;vertical-align:top}
td.rows{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
.small{font-size:.85rem;color:#555}
"""


def _e(value: object) -> str:
    return html.escape(str(value), quote=True)


def _number(value: int | None) -> str:
    return "unknown" if value is None else f"{value:,}"


def _range(pair: tuple[int | None, int | None]) -> str:
    low, high = pair
    if low is not None and low == high:
        return _number(low)
    return f"{_number(low)}\u2013{_number(high)}"


def _headline_card(headline: Headline, colour: str) -> str:
    admitted = ("none" if headline.admitted_killed[1] in (0, None) and headline.side == "russia"
                else _range(headline.admitted_killed))
    likely_rule = "Fair only: Russia has never accepted any harm" if headline.side == "russia" else "Fair + Confirmed"
    return (
        f'<section class="card" style="--side:{colour}" data-side="{_e(headline.side)}">'
        f"<h3>{_e(headline.label)}</h3>"
        f'<p class="figure">{_e(_range(headline.alleged_killed))}</p>'
        f"<p>civilian deaths alleged in {_e(_number(headline.alleged_incidents))} incidents</p>"
        f"<dl><dt>Likely deaths</dt><dd>{_e(_range(headline.likely_killed))} <span class=\"small\">"
        f"({_e(likely_rule)})</span></dd>"
        f"<dt>Admitted by {_e(headline.label)}</dt><dd>{_e(admitted)}</dd></dl></section>"
    )


def render_index(page: ReleasePage) -> str:
    """The page's HTML (UTF-8 text)."""
    colours = {side: colour for side, _label, colour in SIDES}
    where = period_words(page.period)
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        f'<meta http-equiv="Content-Security-Policy" content="{_e(CONTENT_SECURITY_POLICY)}">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        '<meta name="referrer" content="no-referrer">',
        f"<title>{'SYNTHETIC DEMO: ' if page.is_synthetic else ''}Civilian harm from air strikes in Syria, "
        f"{_e(where)} ({_e(page.name)})</title>",
        f"<style>{_CSS}</style></head><body>",
    ]
    if page.is_synthetic:
        parts.append(f'<div class="synthetic" role="alert" id="synthetic-warning">{_e(SYNTHETIC_WARNING)}'
                     "<span>Every figure on this page comes from a synthetic demo dataset made by civcas. Its "
                     "incidents, sources and numbers are invented. Do not cite them.</span></div>")
    parts += [
        "<main>",
        "<h1>Civilian harm from air strikes in Syria: US-led coalition and Russia</h1>",
        f'<p class="lede">Release <strong>{_e(page.name)}</strong>, covering {_e(where)}. '
        + (f"As known on {_e(page.as_of)}. " if page.as_of else "")
        + f"{_e(page.credit)}.</p>",
        '<h2 id="headline">Headline figures</h2>',
        f"<p>Civilian deaths alleged in Syria from {_e(where)}, per side: the sum of the lowest credible "
        "counts to the sum of the highest. An incident blamed on both sides counts for each, so do not "
        "add the two sides together.</p>",
        '<div class="cards">',
        *(_headline_card(h, colours.get(h.side, "#555555")) for h in page.headlines),
        "</div>",
        *(f'<p class="small">{_e(note)}</p>' for note in page.notes),
        '<h2 id="charts">Charts</h2>',
    ]
    for chart in page.charts:
        title = CHART_TITLES.get(chart, chart.replace("_", " "))
        parts.append(
            f'<figure id="chart-{_e(chart)}"><a href="charts/{_e(chart)}.svg">'
            f'<img src="charts/{_e(chart)}.png" alt="{_e(title)}" loading="eager"></a>'
            f"<figcaption>{_e(title)}. Scalable version: "
            f'<a href="charts/{_e(chart)}.svg">charts/{_e(chart)}.svg</a>.</figcaption></figure>')
    parts += [
        '<h2 id="files">Files</h2>',
        "<table><thead><tr><th>file</th><th>rows</th><th>what it holds</th></tr></thead><tbody>",
    ]
    for entry in page.files:
        also = f' (also <a href="{_e(entry.also)}">{_e(entry.also)}</a>)' if entry.also else ""
        parts.append(f'<tr><td><a href="{_e(entry.path)}">{_e(entry.path)}</a>{also}</td>'
                     f'<td class="rows">{_e(_number(entry.rows)) if entry.rows is not None else ""}</td>'
                     f"<td>{_e(entry.description)}</td></tr>")
    parts += [
        "</tbody></table>",
        '<p class="small">CSV: UTF-8, comma-separated, one header row; an empty field is unknown, never zero; '
        "dates are YYYY-MM-DD.</p>",
        '<h2 id="rules">How the figures are counted</h2>',
        "<ul>", *(f"<li>{_e(rule)}</li>" for rule in page.counting_rules), "</ul>",
        '<h2 id="credits">Credits and licence</h2>',
        f"<p><strong>{_e(page.credit)}.</strong></p>",
        "<ul>", *(f"<li>{_e(note)}</li>" for note in page.licence_notes), "</ul>",
    ]
    if page.datasets:
        parts += ["<p>Where the data came from:</p><ul>", *(f"<li>{_e(d)}</li>" for d in page.datasets), "</ul>"]
    parts += [
        f'<p class="small">{_e(page.built)} Check every file with <code>sha256sum -c SHA256SUMS</code>.</p>',
        "</main></body></html>",
        "",
    ]
    return "\n".join(parts)


def write_index(release_dir: Path, page: ReleasePage) -> Path:
    """Write ``index.html`` into the release folder; return its path."""
    path = Path(release_dir) / INDEX_NAME
    path.write_bytes(render_index(page).encode("utf-8"))
    return path


# --------------------------------------------------------------------------- from a release


def page_for_release(*, name: str, is_synthetic: bool, period: Period | None, credit: str,
                     datasets: Sequence[Mapping], frames: Mapping[str, pd.DataFrame], charts: Sequence[str],
                     exports: Sequence[tuple[str, str, int]], as_of: str | None, built: str) -> ReleasePage:
    """The page of a release: `exports` is (file, description, rows) per released table."""
    monitor = frames.get("monthly_monitor_comparison")
    has_ucdp = monitor is not None and "is_ucdp_covered" in monitor and bool(
        monitor["is_ucdp_covered"].fillna(False).astype(bool).any())
    files = [PageFile(f"csv/{file}.csv", first_sentence(description), rows, f"parquet/{file}.parquet")
             for file, description, rows in exports]
    files += [
        PageFile("data_dictionary.md", "Every column of every file: its type and what it means.",
                 also="data_dictionary.csv"),
        PageFile("README.txt", "What is in this folder, where the data came from, the counting rules."),
        PageFile("docs/index.html", "The warehouse documentation (dbt docs): every model, column and test."),
        PageFile("data_docs/", "The data quality checks run on these files before release (Great Expectations)."),
        PageFile("manifest.json", "Every file's size, row count and SHA-256; the build; the sources."),
        PageFile("SHA256SUMS", "Checksums: sha256sum -c SHA256SUMS."),
    ]
    dataset_lines = tuple(
        f"{d.get('dataset_name') or d.get('dataset_id')} ({'SYNTHETIC' if d.get('is_synthetic') else 'real'})"
        for d in datasets)
    comparison = frames.get("monthly_coalition_vs_russia")
    notes = ("The coalition also struck Iraq; these figures are Syria only, the scope both sides share.",)
    return ReleasePage(
        name=name, is_synthetic=is_synthetic, period=period, credit=credit,
        licence_notes=licence_notes(datasets, has_ucdp),
        headlines=headlines(comparison, period) if comparison is not None else (),
        charts=tuple(charts), files=tuple(files), datasets=dataset_lines, as_of=as_of, built=built,
        notes=notes,
    )


__all__ = ["INDEX_NAME", "UCDP_CREDIT", "Headline", "PageFile", "ReleasePage", "headlines", "page_for_release",
           "release_period", "render_index", "write_index"]
