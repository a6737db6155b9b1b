"""civcas.intake_noise: each error class changes what it should, and nothing at level none."""

from __future__ import annotations

import datetime as dt
import random
import re
from dataclasses import replace

import pytest

from civcas.intake_noise import (
    BELLIGERENT_OTHER_NAMES,
    CO_BELLIGERENT_NAMES,
    FINE_PRECISIONS,
    GOVERNORATES,
    LEVELS,
    NOISE_CLASSES,
    NOISE_RATES,
    SOURCE_REPEAT,
    UNKNOWN_SPELLINGS,
    Claim,
    apply_noise,
    distance_km,
    hits,
)

TRUE_DATE = dt.date(2019, 5, 10)
CLAIM = Claim(
    incident_date="2019-05-10", date_reported="2019-05-10", place="Kafr Nabl", governorate="Idlib",
    latitude=35.614, longitude=36.561, precision="town", belligerents="Russian Military",
    killed_min=5, killed_max=5, injured_min=10, injured_max=10, true_date=TRUE_DATE,
    place_arabic="كفرنبل", governorate_key="idlib",
)
SEEDS = range(40)
NOT_CHANGED_BY = {  # fields a class family must leave alone
    "date": ("place", "governorate", "latitude", "longitude", "precision", "belligerents", "killed_min"),
    "place": ("incident_date", "date_reported", "latitude", "longitude", "belligerents", "killed_min"),
    "governorate": ("incident_date", "place", "latitude", "belligerents"),
    "point": ("incident_date", "place", "governorate", "belligerents", "killed_min"),
    "blame": ("incident_date", "place", "governorate", "latitude", "killed_min"),
    "figures": ("incident_date", "place", "governorate", "latitude", "belligerents"),
}


def run(name: str, claim: Claim = CLAIM) -> list[Claim]:
    """The class applied to `claim` with 40 different generators; every result must be a change."""
    results = [NOISE_CLASSES[name](claim, random.Random(seed)) for seed in SEEDS]
    assert all(result is not None and result != claim for result in results), name
    return results


def skeleton(name: str) -> str:
    """Consonants only, lower case: what vowel changes keep."""
    return re.sub(r"[aeiou]", "", name.lower())


def test_every_class_has_a_rate_per_level_zero_at_none_and_growing():
    assert set(NOISE_RATES) == {*NOISE_CLASSES, SOURCE_REPEAT}
    for name, rates in NOISE_RATES.items():
        assert list(rates) == list(LEVELS), name
        assert rates["none"] == 0, name
        assert rates["none"] <= rates["easy"] <= rates["realistic"] <= rates["hard"] <= 1, name
        assert rates["realistic"] > 0, name


def test_level_none_changes_nothing():
    for key in range(300):
        assert hits(4, f"claim-{key}", "none") == []
        noisy = apply_noise(CLAIM, 4, f"claim-{key}", "none")
        assert noisy == CLAIM and noisy.classes == ()


def test_noise_of_a_level_includes_the_noise_of_the_levels_below():
    for key in range(300):
        easy, realistic, hard = (set(hits(4, f"claim-{key}", level)) for level in ("easy", "realistic", "hard"))
        assert easy <= realistic <= hard


def test_apply_noise_records_the_classes_that_changed_the_claim_and_is_deterministic():
    seen = set()
    for key in range(200):
        noisy = apply_noise(CLAIM, 7, f"k{key}", "hard")
        assert noisy == apply_noise(CLAIM, 7, f"k{key}", "hard")
        assert set(noisy.classes) <= set(hits(7, f"k{key}", "hard"))
        assert (noisy == replace(CLAIM, classes=noisy.classes)) == (noisy.classes == ())
        seen.update(noisy.classes)
    assert seen >= {"place_arabic", "blame_unknown", "date_posted_late", "point_missing"}


@pytest.mark.parametrize("name", sorted(NOISE_CLASSES))
def test_each_class_leaves_the_other_fields_alone(name):
    base = replace(CLAIM, place="Al-Kafr Nabboul")
    for result in run(name, base):
        for field in NOT_CHANGED_BY[name.split("_")[0]]:
            assert getattr(result, field) == getattr(base, field), (name, field)


def test_dates():
    for result in run("date_posted_late"):
        lag = (dt.date.fromisoformat(result.incident_date) - TRUE_DATE).days
        assert 1 <= lag <= 3 and result.date_reported == result.incident_date
    for result in run("date_off_by_one"):
        assert abs((dt.date.fromisoformat(result.incident_date) - TRUE_DATE).days) == 1
        assert result.date_reported >= result.incident_date
    assert {r.incident_date for r in run("date_month_only")} == {"2019-05"}
    for result in run("date_late_claim"):
        assert result.incident_date == CLAIM.incident_date
        assert 30 <= (dt.date.fromisoformat(result.date_reported) - TRUE_DATE).days <= 270


def test_coarser_qualified_and_missing_places():
    assert {r.place for r in run("place_coarser", replace(CLAIM, place="Sukkari, Aleppo",
                                                          governorate_key="aleppo"))} == {"Aleppo"}
    for result in run("place_qualified"):
        assert "Kafr Nabl" in result.place and result.place != "Kafr Nabl"
    assert {r.place for r in run("place_missing")} == {""}
    assert NOISE_CLASSES["place_missing"](replace(CLAIM, place=""), random.Random(1)) is None


def test_arabic_script_for_the_place_and_the_governorate():
    for result in run("place_arabic", replace(CLAIM, place_arabic="")):
        assert result.place and not re.search(r"[A-Za-z]", result.place)
    assert "كفرنبل" in {r.place for r in run("place_arabic")}
    for result in run("governorate_arabic"):
        assert result.governorate in GOVERNORATES["idlib"][1]
    assert NOISE_CLASSES["governorate_arabic"](replace(CLAIM, governorate_key=None), random.Random(1)) is None


def test_transliteration_classes():
    for result in run("place_article", replace(CLAIM, place="Al-Bab")):
        assert result.place.lower().endswith("bab") and result.place != "Al-Bab"
    assert any(r.place == "Bab" for r in run("place_article", replace(CLAIM, place="Al-Bab")))
    for result in run("place_article", replace(CLAIM, place="Bab")):
        assert result.place.endswith("Bab") and len(result.place) > 3
    for result in run("place_vowels", replace(CLAIM, place="Saraqeb")):
        assert skeleton(result.place) == skeleton("Saraqeb") or result.place.lower().startswith("saraq")
    assert "Saraqib" in {r.place for r in run("place_vowels", replace(CLAIM, place="Saraqeb"))}
    assert "Ariha" in {r.place for r in run("place_consonants", replace(CLAIM, place="Arriha"))}
    assert {r.place for r in run("place_joined", replace(CLAIM, place="Al-Bab"))} <= {"AlBab", "Al Bab"}
    for result in run("place_prefix_word"):
        first, rest = result.place.split(" ", 1)
        assert first in {"Kfar", "Kfr", "Kafer"} and rest == "Nabl"
    arabic = replace(CLAIM, place="اريحا")
    for name in ("place_article", "place_vowels", "place_consonants", "place_joined", "place_prefix_word"):
        assert NOISE_CLASSES[name](arabic, random.Random(1)) is None, name


def test_points():
    for result in run("point_jitter"):
        assert distance_km(CLAIM.latitude, CLAIM.longitude, result.latitude, result.longitude) <= 5.01
        assert result.precision == "town"
    assert {(r.latitude, r.longitude, r.precision) for r in run("point_missing")} == {(None, None, "")}
    _, _, lat, lon = GOVERNORATES["idlib"]
    assert {(r.latitude, r.longitude, r.precision) for r in run("point_centroid")} == \
        {(lat, lon, "province_governorate")}
    for result in run("point_town_offset"):
        assert 1.99 <= distance_km(CLAIM.latitude, CLAIM.longitude, result.latitude, result.longitude) <= 8.01
        assert result.precision == "town"
    for result in run("point_false_precision"):
        assert result.precision in FINE_PRECISIONS
        assert distance_km(CLAIM.latitude, CLAIM.longitude, result.latitude, result.longitude) >= 0.99
    no_point = replace(CLAIM, latitude=None, longitude=None, precision="")
    for name in ("point_jitter", "point_missing", "point_town_offset"):
        assert NOISE_CLASSES[name](no_point, random.Random(1)) is None, name


def test_blame():
    assert {r.belligerents for r in run("blame_unknown")} <= set(UNKNOWN_SPELLINGS)
    assert {r.belligerents for r in run("blame_other_name")} <= set(BELLIGERENT_OTHER_NAMES["russia"])
    assert {r.belligerents for r in run("blame_co_belligerent")} <= set(CO_BELLIGERENT_NAMES["russia"])
    turkey = replace(CLAIM, belligerents="Turkish Military")
    assert {r.belligerents for r in run("blame_co_belligerent", turkey)} <= set(CO_BELLIGERENT_NAMES["turkey"])
    both = replace(CLAIM, belligerents="Russian Military, U.S.-led Coalition")
    for result in run("blame_other_name", both):
        russian, coalition = result.belligerents.split(", ", 1)
        assert russian in BELLIGERENT_OTHER_NAMES["russia"] and coalition in BELLIGERENT_OTHER_NAMES["coalition"]
    assert NOISE_CLASSES["blame_other_name"](replace(CLAIM, belligerents=""), random.Random(1)) is None


def test_figures():
    results = run("figures_disagree")
    assert any(r.killed_min is None and r.injured_min is None for r in results)
    assert any(r.killed_min == 5 and r.killed_max is None for r in results)
    assert any(r.killed_min not in (None, 5) for r in results)
    unknown = replace(CLAIM, killed_min=None, killed_max=None, injured_min=None, injured_max=None)
    assert NOISE_CLASSES["figures_disagree"](unknown, random.Random(1)) is None
