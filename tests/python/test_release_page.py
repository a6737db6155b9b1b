"""civcas.release_page on small frames made here: headline figures, the period, the credit, and
a page that asks nothing of the network. The demo release's page (and its browser test) is in
test_release.py."""

from __future__ import annotations

import datetime as dt
import re

import pandas as pd

from civcas.charts import AIRWARS_CREDIT
from civcas.release import SYNTHETIC_WARNING
from civcas.release_page import (
    CONTENT_SECURITY_POLICY,
    ReleasePage,
    headlines,
    licence_notes,
    page_for_release,
    release_period,
    render_index,
    write_index,
)


def _comparison() -> pd.DataFrame:
    rows = []
    for month, country, coalition, russia in [
        (dt.date(2016, 1, 1), "syria", (10, 12), (None, None)),
        (dt.date(2016, 2, 1), "syria", (5, 9), (20, 30)),
        (dt.date(2016, 2, 1), "iraq", (100, 200), (0, 0)),  # not Syria: never in the headline
        (dt.date(2016, 3, 1), "syria", (1, 1), (7, None)),
        (dt.date(2016, 4, 1), "syria", (0, 0), (0, 0)),
    ]:
        row = {"month": month, "country_id": country}
        for side, (low, high) in (("coalition", coalition), ("russia", russia)):
            row |= {f"{side}_alleged_incidents": int(bool(low or high)), f"{side}_alleged_killed_min": low,
                    f"{side}_alleged_killed_max": high, f"{side}_likely_killed_min": low and low // 2,
                    f"{side}_likely_killed_max": high and high // 2, f"{side}_deaths_conceded_min": None,
                    f"{side}_deaths_conceded_max": None}
        rows.append(row)
    return pd.DataFrame(rows)


def test_headlines_sum_minimums_and_maximums_in_syria_and_keep_unknown_unknown():
    coalition, russia = headlines(_comparison(), (dt.date(2016, 1, 1), dt.date(2016, 4, 1)))
    assert coalition.alleged_killed == (16, 22) and coalition.alleged_incidents == 3
    assert coalition.likely_killed == (5 + 2 + 0, 6 + 4 + 0)
    # Russia: an unknown maximum adds nothing; every value unknown stays unknown, never zero.
    assert russia.alleged_killed == (27, 30) and russia.alleged_incidents == 2
    assert russia.admitted_killed == (None, None)


def test_headlines_count_only_the_period():
    coalition, _ = headlines(_comparison(), (dt.date(2016, 2, 1), dt.date(2016, 3, 1)))
    assert coalition.alleged_killed == (6, 10)


def test_the_period_comes_from_the_build_vars_else_the_data():
    comparison = _comparison()
    assert release_period({}, comparison) == (dt.date(2016, 1, 1), dt.date(2016, 3, 1))
    assert release_period({"civcas_first_month": "2015-06-01", "civcas_last_month": "2016-12-01"}, comparison) == (
        dt.date(2015, 6, 1), dt.date(2016, 12, 1))
    assert release_period({"civcas_first_month": "2016-02-01"}, comparison) == (
        dt.date(2016, 2, 1), dt.date(2016, 3, 1))


def test_the_terms_come_from_each_dataset_row():
    free = {"dataset_id": "d", "dataset_name": "Free", "licence": "CC BY 4.0", "is_redistributable": True,
            "credit": "Data: Free"}
    closed = {"dataset_id": "c", "dataset_name": "Closed", "licence": None, "is_redistributable": False,
              "credit": "Data: Closed"}
    notes = licence_notes([free, closed], has_ucdp=False)
    assert notes[0] == "Free: free to share (licence: CC BY 4.0). Credit: Data: Free."
    assert notes[1].startswith("Closed: NOT licensed for redistribution (licence: not stated)")
    assert '"Data: Closed"' in notes[1]
    assert not any("UCDP" in note for note in notes)
    assert any("CC BY 4.0: cite Sundberg" in note for note in licence_notes([free], has_ucdp=True))


def _page(**changes) -> ReleasePage:
    page = page_for_release(
        name="r<1>", is_synthetic=False, period=(dt.date(2016, 1, 1), dt.date(2016, 3, 1)), credit=AIRWARS_CREDIT,
        datasets=[{"dataset_id": "airwars-syria-archive", "dataset_name": "Airwars <archive>",
                   "licence": "none stated", "is_redistributable": False, "credit": AIRWARS_CREDIT}],
        frames={"monthly_coalition_vs_russia": _comparison()}, charts=["monthly_alleged_deaths_coalition_vs_russia"],
        exports=[("monthly_coalition_vs_russia", "The comparison, from export_x. One row per month.", 4)],
        as_of=None, built="Built.")
    return ReleasePage(**{**page.__dict__, **changes})


def test_the_page_is_self_contained_and_escapes_what_it_quotes(tmp_path):
    path = write_index(tmp_path, _page())
    page = path.read_text(encoding="utf-8")
    assert f'<meta http-equiv="Content-Security-Policy" content="{CONTENT_SECURITY_POLICY.replace(chr(39), "&#x27;")}">' \
        in page
    assert not re.search(r"<script|<link|@import|url\(|(src|href)=\"(https?:)?//", page)
    assert "r&lt;1&gt;" in page and "Airwars &lt;archive&gt;" in page and "<1>" not in page
    assert 'src="charts/monthly_alleged_deaths_coalition_vs_russia.png"' in page
    assert '<td class="rows">4</td>' in page and "The comparison." in page  # the model name is left out
    assert "16\u201322" in page and AIRWARS_CREDIT in page and "NOT licensed for redistribution" in page
    assert SYNTHETIC_WARNING not in page


def test_a_synthetic_page_says_so_first():
    page = render_index(_page(is_synthetic=True))
    body = page[page.index("<body>"):]
    assert body.index(SYNTHETIC_WARNING) < body.index("<h1>")
