"""Synthetic raw data at scale (``civcas generate-scale``): N claims as Parquet, up to 10 million.

What it writes: every raw table of the contract (seeds/raw/_raw__seeds.yml) as one Parquet file,
``<out>/<table>.parquet``, every column a string and empty text null (as ``civcas import-archive``
writes, so the dbt source ``raw_files`` reads it unchanged), plus ``_scale_manifest.json`` (row
counts, dirty rows by kind, seed, time taken). ``raw_dataset`` says the data is synthetic and
names the seed and N.

The shape is the demo's (civcas/generator.py): the same vocabularies from seeds/reference, the
same monthly phases and hotspots (March 2017 the coalition's record month), claims per incident,
unlinked claims (about known and new incidents), report lags, date and figure forms, spellings
(Arabic script by source language), attributions, verdicts, grade histories, declared strikes near
incidents plus the daily background, and the same kinds of dirty rows in the same shares (the
demo's count for each kind and table, times N / 3,600), made by the demo's own mutators. Sources,
incidents, declared strikes and every other table grow with N in the demo's proportions.

Why a second path: the demo draws one value at a time from one ``random.Random``, which fixes its
bytes but costs about 100 µs a claim (15 minutes for 10 million). Here the distributions that
generator.py defines (its bucket tables, shares and weights, ``_spelling_weights``) are drawn with
numpy over whole blocks and rendered to text with pyarrow compute; only the few dirty rows go
through Python, one row at a time, with the demo's mutators.

Deterministic and bounded: incidents are laid out month by month (campaigns within a month) and
cut into blocks of ``block_incidents``; block k draws from its own stream
``SeedSequence(seed, spawn_key=(1, k))`` and each month's background strike releases from
``(2, month cell)``, so blocks can be made in any order by any number of worker processes.
Row groups hold a fixed number of rows and each is written from contiguous arrays, so the bytes
depend on the seed, N and ``block_incidents`` only (not on --workers), for a given numpy and
pyarrow (both pinned in requirements.lock). Memory holds the plan, the source registry (N / 14.4
sources), the blocks in flight (about 3.6 x block_incidents claims each) and one partly filled
row group per table.

Differences from the demo, by design: rows are in block order (ids ascending; claims by report
date within a block), codes are wider than four digits when a campaign has more than 9,999
incidents, and protected sources are not forced to be cited (at scale they are, by weight).
"""

from __future__ import annotations

import datetime as dt
import json
import math
import os
import random
import re
import shutil
import string
import tempfile
import time
from collections import deque
from collections.abc import Callable, Iterator, Mapping, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass
from functools import cached_property
from multiprocessing import get_all_start_methods, get_context
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from civcas import __version__
from civcas.generator import (
    _CAMPAIGNS,
    _CLAIM_PRECISION_WEIGHTS,
    _DIRT_ORDER,
    _INCIDENT_PRECISION_WEIGHTS,
    _MUTATORS,
    _NOTES,
    _NUMBER_WORDS,
    _OTHER_SOURCE_TYPE,
    _PLACE_EXTENT_KM,
    _SOURCE_TYPE_PLAN,
    _TARGETS,
    _TRAJECTORIES,
    ARABIC_SHARE,
    BACKGROUND_RELEASES_PER_DEMO,
    CLAIM_COORDINATE_SHARE,
    CLAIM_UNKNOWN_INJURED_SHARE,
    CLAIM_UNKNOWN_KILLED_SHARE,
    CLAIMS_MAX,
    CLAIMS_PER_INCIDENT,
    CLAIMS_PER_INCIDENT_RATIO,
    CLAIMS_TAIL_MEAN,
    CLAIMS_TAIL_START,
    COALITION_RELEASE_TEXT,
    CONTESTED_SHARE,
    DECLARED_SHARE,
    DEFAULT_CLAIMS,
    DEFAULT_SEED,
    DESCRIPTION,
    DIRTY_PLAN,
    FINAL_GRADE_WEIGHTS,
    HANDLE_SHARE,
    HANDLE_SOURCE_TYPES,
    INCIDENT_COORDINATE_SHARE,
    INCIDENT_DATE_PRECISION,
    KILLED_SIZE_BUCKETS,
    LAST_DAY,
    LINKED_CLAIM_SHARE,
    MERGED_CODE_SHARE,
    NO_HARM_SHARE,
    OLD_GRADE_NAMES_UNTIL,
    OLD_RUSSIAN_CODE_SHARE,
    OLD_RUSSIAN_CODES_UNTIL,
    REPORT_LAG_BUCKETS,
    RUSSIAN_RELEASE_TEXT,
    RUSSIAN_SLOWDOWN,
    RUSSIAN_UNASSESSED_SHARE,
    SECOND_TARGET_SHARE,
    SECOND_TARGET_TEXT,
    SINGLE_SOURCE_WEAK_SHARE,
    SOURCES_PER_DEMO,
    SPLIT_EVERY,
    STATEMENT_SHARE,
    STATEMENTS_FROM,
    SYNTHETIC_URL,
    UNASSESSED_SHARE,
    UNKNOWN_BLAME_SHARE,
    UNKNOWN_INJURED_SHARE,
    UNKNOWN_KILLED_SHARE,
    VERDICT_WEIGHTS,
    BackgroundPlan,
    Reference,
    Table,
    _allocate_months,
    _DirtContext,
    _inject,
    _release_spellings,
    _spelling_weights,
    _World,
    background_plan,
    load_reference,
    source_name_parts,
)
from civcas.raw_contract import load_raw_contract

MANIFEST_NAME = "_scale_manifest.json"
MAX_CLAIMS = 10_000_000
BLOCK_INCIDENTS = 16_384  # about 59,000 claims a block
ROW_GROUP_ROWS = 262_144
PARQUET_OPTIONS: dict[str, object] = {
    "compression": "zstd",
    "compression_level": 1,
    "use_dictionary": True,
    "write_statistics": True,
    "version": "2.6",
}
CAMPAIGNS: tuple[str, ...] = tuple(_CAMPAIGNS)  # CI, CS, RS
# Day numbers (proleptic ordinals) the text look-ups cover: every date any table can hold.
FIRST_TEXT_DAY = dt.date(2013, 1, 1).toordinal()
LAST_TEXT_DAY = dt.date(2024, 12, 31).toordinal()
LAST = LAST_DAY.toordinal()
LAST_REPORT = LAST + 180
LAST_STATEMENT = dt.date(2020, 12, 31).toordinal()
# Dirty rows are made in a sample of each table this many times the rows wanted (more is
# sampled when a kind that needs a particular row, such as a figure to make negative, falls short).
DIRT_SAMPLE_FACTOR = 3
# Orphan incident codes made in block k start numbering at k times this (unique across blocks).
ORPHANS_PER_BLOCK = 100_000

GENERATED_TABLES = (
    "raw_dataset", "raw_sources", "raw_claims", "raw_incidents", "raw_incident_belligerents",
    "raw_incident_assessments", "raw_belligerent_statements", "raw_declared_strikes",
)

Progress = Callable[[str], None]


class ScaleError(ValueError):
    """The request cannot be met (N out of range, an output folder that is not ours)."""


@dataclass
class ScaleResult:
    """What generate_scale wrote."""

    out: Path
    rows: dict[str, int]
    dirty: dict[str, dict[str, int]]
    elapsed: float


# --------------------------------------------------------------------------- drawing many values


class _GroupedChoice:
    """One weighted pick per row among the options of that row's group, all rows at once."""

    def __init__(self, groups: Sequence[Sequence[float]]) -> None:
        keys, starts, sizes = [], [], []
        for number, weights in enumerate(groups):
            w = np.asarray(weights, dtype=np.float64)
            if len(w) == 0 or w.sum() <= 0:
                raise ValueError(f"group {number} has no option with a positive weight")
            cdf = np.cumsum(w) / w.sum()
            cdf[-1] = 1.0
            starts.append(sum(sizes))
            sizes.append(len(w))
            keys.append(number + cdf)
        self.keys = np.concatenate(keys)
        self.starts = np.asarray(starts, dtype=np.int64)
        self.sizes = np.asarray(sizes, dtype=np.int64)

    def draw(self, rng: np.random.Generator, group: np.ndarray) -> np.ndarray:
        """Flat option indices: group g's options are starts[g] .. starts[g] + sizes[g] - 1."""
        group = np.asarray(group, dtype=np.int64)
        found = np.searchsorted(self.keys, group + rng.random(len(group)), side="right")
        # g + u can round up to g + 1 for u just below 1: stay inside the group.
        return np.minimum(found, self.starts[group] + self.sizes[group] - 1)


class _Options:
    """Text options in groups, drawn by weight per row (spellings of one place, one code, ...)."""

    def __init__(self, groups: Sequence[Sequence[str]], weights: Sequence[Sequence[float]]) -> None:
        self.choice = _GroupedChoice(weights)
        self.values = pa.array([value for options in groups for value in options], type=pa.string())

    def draw(self, rng: np.random.Generator, group: np.ndarray) -> pa.Array:
        return self.values.take(self.choice.draw(rng, group))

    @classmethod
    def spellings(cls, groups: Sequence[Sequence[str]], arabic_share: float = 0.0, first_share: float = 0.5,
                  lead: Sequence[str] | None = None, lead_share: float = 0.0) -> _Options:
        """Spellings as generator._spelling draws them; with ``lead``, that text first in ``lead_share``
        of the rows (a country's own name before its spellings, as _country_spelling does)."""
        texts, weights = [], []
        for number, options in enumerate(groups):
            w = _spelling_weights(options, arabic_share, first_share)
            if lead is None:
                texts.append(list(options))
                weights.append(w)
            else:
                texts.append([lead[number], *options])
                weights.append([lead_share, *((1 - lead_share) * x for x in w)])
        return cls(texts, weights)

    @classmethod
    def by_arabic(cls, groups: Sequence[Sequence[str]], first_share: float) -> _Options:
        """Group 2g + 1 spells group g for a source writing Arabic, 2g for any other source."""
        doubled = [options for options in groups for _ in (0, 1)]
        weights = [
            _spelling_weights(options, ARABIC_SHARE["Arabic" if arabic else "other"], first_share)
            for options in groups for arabic in (False, True)
        ]
        return cls(doubled, weights)


def _buckets(rng: np.random.Generator, buckets: Sequence[tuple[float, int, int]], n: int) -> np.ndarray:
    """generator._bucket_draw, n times."""
    uppers = np.array([b[0] for b in buckets])
    lows = np.array([b[1] for b in buckets], dtype=np.int64)
    highs = np.array([b[2] for b in buckets], dtype=np.int64)
    bucket = np.minimum(np.searchsorted(uppers, rng.random(n), side="right"), len(buckets) - 1)
    return rng.integers(lows[bucket], highs[bucket] + 1)


def _pick_shares(rng: np.random.Generator, shares: Sequence[tuple[float, str]], n: int) -> np.ndarray:
    """Index of generator._share_pick's label, n times."""
    uppers = np.array([upper for upper, _ in shares])
    return np.minimum(np.searchsorted(uppers, rng.random(n), side="right"), len(shares) - 1)


def _weighted_index(rng: np.random.Generator, weights: Mapping[str, float], n: int) -> np.ndarray:
    """Index into list(weights) drawn as generator._weighted draws a key, n times."""
    w = np.array(list(weights.values()), dtype=np.float64)
    return rng.choice(len(w), size=n, p=w / w.sum())


def _figure_truth(rng: np.random.Generator, unknown_share: float, high: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """generator._figure_truth for every row: (low, high), -1 where unknown."""
    n = len(high)
    unknown = rng.random(n) < unknown_share
    same = rng.random(n) < 0.5
    low = np.where(same, high, rng.integers(np.ceil(high * 0.4).astype(np.int64), high + 1))
    return np.where(unknown, -1, low), np.where(unknown, -1, high)


def _jitter(rng: np.random.Generator, lat: np.ndarray, lon: np.ndarray, km: np.ndarray | float) -> tuple[np.ndarray, np.ndarray]:
    """generator._jitter for every row."""
    r = km * np.sqrt(rng.random(len(lat)))
    theta = rng.random(len(lat)) * 2 * math.pi
    return lat + r * np.cos(theta) / 111.0, lon + r * np.sin(theta) / (111.0 * np.cos(np.radians(lat)))


# --------------------------------------------------------------------------- rendering text


_NULL = pa.scalar(None, type=pa.string())


def _join(*parts: pa.Array | str) -> pa.Array:
    """Concatenate text columns and literals row by row (null when any column is null)."""
    return pc.binary_join_element_wise(*parts, "")


def _join_present(parts: Sequence[pa.Array], separator: str) -> pa.Array:
    """The non-null parts of each row joined by ``separator``; null where every part is null.

    (pyarrow 26's binary_join_element_wise with null_handling="skip" drops rows whose parts are
    all null instead of returning them, so it is not used.)"""
    prefixed = [pc.coalesce(_join(separator, part), "") for part in parts]
    joined = pc.utf8_slice_codeunits(_join(*prefixed), len(separator))
    return pc.if_else(pc.equal(joined, ""), _NULL, joined)


def _render(template: str, **columns: pa.Array | str) -> pa.Array:
    """A str.format template rendered for every row from text columns."""
    parts: list[pa.Array | str] = []
    for literal, name, _, _ in string.Formatter().parse(template):
        if literal:
            parts.append(literal)
        if name is not None:
            parts.append(columns[name])
    return _join(*parts)


def _where(mask: np.ndarray, values: pa.Array | pa.Scalar, otherwise: pa.Array | pa.Scalar = _NULL) -> pa.Array:
    return pc.if_else(pa.array(mask, type=pa.bool_()), values, otherwise)


def _numbers(values: np.ndarray) -> pa.Array:
    """Whole numbers as text; -1 (unknown) is null."""
    values = np.asarray(values, dtype=np.int64)
    return pc.cast(pa.array(values, mask=values < 0), pa.string())


def _padded(values: np.ndarray, width: int) -> pa.Array:
    return pc.utf8_lpad(pc.cast(pa.array(np.asarray(values, dtype=np.int64)), pa.string()), width=width, padding="0")


def _decimals(values: np.ndarray, places: np.ndarray) -> pa.Array:
    """Positive decimal degrees with 4, 5 or 6 places per row, as f"{value:.{places}f}" writes them."""
    if len(values) and values.min() < 0:
        raise ValueError("negative coordinates are not expected in Syria or Iraq")
    order = np.argsort(places, kind="stable")
    pieces = []
    for digits in np.unique(places):
        chosen = order[places[order] == digits]
        scaled = np.rint(values[chosen] * 10.0 ** digits).astype(np.int64)
        whole, fraction = np.divmod(scaled, 10 ** int(digits))
        pieces.append(_join(pc.cast(pa.array(whole), pa.string()), ".", _padded(fraction, int(digits))))
    text = pa.concat_arrays(pieces) if pieces else pa.array([], type=pa.string())
    inverse = np.empty_like(order)
    inverse[order] = np.arange(len(order))
    return text.take(pa.array(inverse))


class _Days:
    """Day numbers (ordinals) as text through look-up tables: ISO date, YYYY-MM and YYYY/MM."""

    def __init__(self) -> None:
        days = [dt.date.fromordinal(d) for d in range(FIRST_TEXT_DAY, LAST_TEXT_DAY + 1)]
        self.iso = pa.array([d.isoformat() for d in days], type=pa.string())
        self.month = pa.array([d.strftime("%Y-%m") for d in days], type=pa.string())
        self.slashed = pa.array([d.strftime("%Y/%m") for d in days], type=pa.string())
        self.month_first = np.array([d.replace(day=1).toordinal() for d in days], dtype=np.int64)
        following = [dt.date(d.year + (d.month == 12), d.month % 12 + 1, 1) for d in days]
        self.month_last = np.array([f.toordinal() - 1 for f in following], dtype=np.int64)

    def _index(self, days: np.ndarray) -> pa.Array:
        days = np.asarray(days, dtype=np.int64)
        known = days >= 0
        if known.any() and (days[known].min() < FIRST_TEXT_DAY or days[known].max() > LAST_TEXT_DAY):
            raise ValueError("a generated date falls outside the text look-up range")
        return pa.array(days - FIRST_TEXT_DAY, mask=~known)

    def text(self, days: np.ndarray, table: str = "iso") -> pa.Array:
        """Text of every day; -1 is null."""
        return getattr(self, table).take(self._index(days))


# --------------------------------------------------------------------------- the plan


@dataclass(frozen=True)
class _Block:
    """A run of incidents in the global order, made from one random stream."""

    index: int
    cells: np.ndarray  # the cell of each incident, in order
    claims: int
    claim_start: int
    code_start: tuple[int, ...]  # per campaign, the first code number
    merges: tuple[int, ...]  # per campaign, incidents that absorbed another code
    old_russian_start: int
    old_russian: int
    background_cells: tuple[int, ...]
    dirt: dict[str, dict[str, int]]  # table -> kind -> dirty rows to make in this block


@dataclass
class _Plan:
    """Everything decided before any block is made: cells, blocks, numbering, widths."""

    n_claims: int
    seed: int
    cell_campaign: np.ndarray
    cell_month: list[str]
    cell_first: np.ndarray
    cell_last: np.ndarray
    blocks: list[_Block]
    code_max: tuple[int, ...]
    widths: dict[str, int]


def _digits(n: float) -> int:
    return len(str(int(n)))


def _largest_remainder(total: int, weights: np.ndarray) -> np.ndarray:
    """Whole numbers proportional to ``weights`` that add up to ``total``."""
    exact = total * weights / weights.sum()
    counts = np.floor(exact).astype(np.int64)
    short = total - int(counts.sum())
    if short:
        counts[np.argsort(-(exact - counts), kind="stable")[:short]] += 1
    return counts


def _make_plan(world: _World, n_claims: int, seed: int, block_incidents: int) -> _Plan:
    n_incidents = max(40, round(n_claims / CLAIMS_PER_INCIDENT_RATIO))
    alloc = _allocate_months(world, n_incidents)
    cells = sorted(alloc, key=lambda key: (key[1], CAMPAIGNS.index(key[0])))
    counts = np.array([alloc[c] for c in cells], dtype=np.int64)
    spans = [world.active_span(campaign, month) for campaign, month in cells]
    cell_campaign = np.array([CAMPAIGNS.index(c) for c, _ in cells], dtype=np.int64)
    order = np.repeat(np.arange(len(cells)), counts)
    n_blocks = max(1, math.ceil(len(order) / block_incidents))
    bounds = [(k * block_incidents, min((k + 1) * block_incidents, len(order))) for k in range(n_blocks)]
    claims = _largest_remainder(n_claims, np.array([hi - lo for lo, hi in bounds], dtype=np.float64))
    dirt = _plan_dirt(n_claims, claims)
    cell_start = np.concatenate([[0], np.cumsum(counts)[:-1]])
    anchor = np.minimum(cell_start // block_incidents, n_blocks - 1)
    plan_rng = np.random.default_rng(np.random.SeedSequence(seed, spawn_key=(0,)))
    next_code = [1] * len(CAMPAIGNS)
    next_old_russian, next_claim = 1, 1
    old_russian_cells = np.array([c == "RS" and dt.date.fromisoformat(m + "-01") < OLD_RUSSIAN_CODES_UNTIL
                                  for c, m in cells])
    blocks = []
    for k, (lo, hi) in enumerate(bounds):
        block_cells = order[lo:hi]
        per_campaign = np.bincount(cell_campaign[block_cells], minlength=len(CAMPAIGNS))
        merges = tuple(int(plan_rng.binomial(n, MERGED_CODE_SHARE)) for n in per_campaign)
        old_russian = int(plan_rng.binomial(int(old_russian_cells[block_cells].sum()), OLD_RUSSIAN_CODE_SHARE))
        blocks.append(_Block(
            index=k, cells=block_cells, claims=int(claims[k]), claim_start=next_claim,
            code_start=tuple(next_code), merges=merges, old_russian_start=next_old_russian, old_russian=old_russian,
            background_cells=tuple(int(c) for c in np.flatnonzero(anchor == k)),
            dirt={table: {kind: int(per_block[k]) for kind, per_block in kinds.items()} for table, kinds in dirt.items()},
        ))
        next_code = [start + int(n) + m for start, n, m in zip(next_code, per_campaign, merges, strict=False)]
        next_old_russian += old_russian
        next_claim += int(claims[k])
    code_max = tuple(n - 1 for n in next_code)
    background = _expected_background(world, n_claims)
    widths = {
        "code": max(4, _digits(max(code_max))),
        "claim": max(6, _digits(n_claims)),
        "source": max(4, _digits(_source_count(n_claims))),
        "assessment": max(6, _digits(3 * 1.02 * n_incidents + 100)),
        "statement": max(6, _digits(1.02 * n_incidents + 100)),
        "strike": max(7, _digits(1.02 * n_incidents + 2 * background + 1000)),
    }
    return _Plan(
        n_claims=n_claims, seed=seed, cell_campaign=cell_campaign, cell_month=[m for _, m in cells],
        cell_first=np.array([a.toordinal() for a, _ in spans]), cell_last=np.array([b.toordinal() for _, b in spans]),
        blocks=blocks, code_max=code_max, widths=widths,
    )


def dirty_rows_wanted(n_claims: int) -> dict[str, dict[str, int]]:
    """Kind -> table -> dirty rows in a dataset of ``n_claims``: the demo's count times
    n_claims / DEFAULT_CLAIMS, at least one (the demo's own counts at the demo's size)."""
    scale = n_claims / DEFAULT_CLAIMS
    return {kind: {table: max(1, round(count * scale)) for table, count in tables.items()}
            for kind, tables in DIRTY_PLAN.items()}


def _plan_dirt(n_claims: int, block_claims: np.ndarray) -> dict[str, dict[str, np.ndarray]]:
    """Table -> kind -> dirty rows per block, shared out by the blocks' claims."""
    plan: dict[str, dict[str, np.ndarray]] = {}
    for kind, tables in dirty_rows_wanted(n_claims).items():
        for table, total in tables.items():
            if table != "raw_sources":  # the source registry is made whole, apart from the blocks
                plan.setdefault(table, {})[kind] = _largest_remainder(total, block_claims.astype(np.float64))
    return plan


def _background_lines(n_claims: int) -> int:
    return round(BACKGROUND_RELEASES_PER_DEMO * n_claims / DEFAULT_CLAIMS)


def _expected_background(world: _World, n_claims: int) -> float:
    total = 0.0
    for campaign in CAMPAIGNS:
        plan = background_plan(world, campaign, _background_lines(n_claims))
        for month, daily in plan.daily_lines.items():
            first, last = world.active_span(campaign, month)
            total += daily * ((last - first).days + 1)
    return total


def _source_count(n_claims: int) -> int:
    return max(60, round(SOURCES_PER_DEMO * n_claims / DEFAULT_CLAIMS))


# --------------------------------------------------------------------------- shared context


class _NumberedIds(Sequence[str]):
    """The ids PREFIX000001 .. PREFIXnnnnnn without holding them (the dirt context's source ids)."""

    def __init__(self, prefix: str, width: int, count: int) -> None:
        self.prefix, self.width, self.count = prefix, width, count
        self._pattern = re.compile(rf"{re.escape(prefix)}(\d{{{width}}})")

    def __len__(self) -> int:
        return self.count

    def __getitem__(self, i: int) -> str:  # type: ignore[override]
        if not 0 <= i < self.count:
            raise IndexError(i)
        return f"{self.prefix}{i + 1:0{self.width}d}"

    def index(self, value: object, start: int = 0, stop: int | None = None) -> int:
        match = self._pattern.fullmatch(value) if isinstance(value, str) else None
        if match is None or not 1 <= int(match.group(1)) <= self.count:
            raise ValueError(f"{value!r} is not a source id")
        return int(match.group(1)) - 1


class _CodeSpace:
    """Answers ``code in codes`` for every incident code of the dataset without listing them."""

    def __init__(self, width: int, code_max: Sequence[int]) -> None:
        self.maximum = dict(zip(CAMPAIGNS, code_max, strict=False))
        self._pattern = re.compile(rf"({'|'.join(CAMPAIGNS)})(\d{{{width}}})[ab]?")

    def __contains__(self, code: object) -> bool:
        match = self._pattern.fullmatch(code) if isinstance(code, str) else None
        return bool(match) and 1 <= int(match.group(2)) <= self.maximum[match.group(1)]


@dataclass
class _Sources:
    """The source registry as arrays, in id order (index i is id number i + 1)."""

    type_index: np.ndarray
    arabic: np.ndarray
    weight: np.ndarray
    slug: pa.Array  # lower-case id, as report links use it
    ids: pa.Array
    types: tuple[str, ...]


@dataclass
class _Context:
    """What every block needs, built once (sent to each worker process once)."""

    plan: _Plan
    ref: Reference
    world: _World
    sources: _Sources

    # ---- places, governorates, countries, belligerents as index arrays
    @cached_property
    def place_ids(self) -> list[str]:
        return list(self.ref.places)

    @cached_property
    def governorate_ids(self) -> list[str]:
        return list(self.ref.governorates)

    @cached_property
    def country_ids(self) -> list[str]:
        return list(self.ref.countries)

    @cached_property
    def belligerent_ids(self) -> list[str]:
        return sorted(self.ref.belligerent_aliases)

    def place_array(self, attribute: str) -> np.ndarray:
        return np.array([getattr(p, attribute) for p in self.ref.places.values()])

    @cached_property
    def place_lat(self) -> np.ndarray:
        return self.place_array("lat").astype(np.float64)

    @cached_property
    def place_lon(self) -> np.ndarray:
        return self.place_array("lon").astype(np.float64)

    @cached_property
    def place_extent(self) -> np.ndarray:
        return np.array([_PLACE_EXTENT_KM.get(p.kind, 2) for p in self.ref.places.values()], dtype=np.float64)

    @cached_property
    def place_governorate(self) -> np.ndarray:
        return np.array([self.governorate_ids.index(p.governorate_id) for p in self.ref.places.values()])

    @cached_property
    def place_country(self) -> np.ndarray:
        return np.array([self.country_ids.index(p.country_id) for p in self.ref.places.values()])

    @cached_property
    def place_rank(self) -> np.ndarray:
        """Rank of each place_id in sorted order (the demo sorts by place_id)."""
        return np.argsort(np.argsort(np.array(self.place_ids), kind="stable"), kind="stable")

    @cached_property
    def country_box(self) -> np.ndarray:
        return np.array([[c.min_lat, c.max_lat, c.min_lon, c.max_lon] for c in self.ref.countries.values()])

    def inside(self, country: np.ndarray, lat: np.ndarray, lon: np.ndarray) -> np.ndarray:
        box = self.country_box[country]
        return (box[:, 0] <= lat) & (lat <= box[:, 1]) & (box[:, 2] <= lon) & (lon <= box[:, 3])

    def belligerent(self, belligerent_id: str) -> int:
        return self.belligerent_ids.index(belligerent_id)

    # ---- draws shared by every block
    @cached_property
    def cell_places(self) -> tuple[_GroupedChoice, np.ndarray]:
        """Per month cell, the places its incidents happen at (world.place_weights)."""
        options, weights = [], []
        for campaign, month in zip(self.plan.cell_campaign, self.plan.cell_month, strict=False):
            places, w = self.world.place_weights(CAMPAIGNS[campaign], month)
            options.extend(self.place_ids.index(p.place_id) for p in places)
            weights.append(w)
        return _GroupedChoice(weights), np.array(options)

    @cached_property
    def governorate_places(self) -> tuple[_GroupedChoice, np.ndarray]:
        """Per governorate, its places, uniformly (a split sibling or a declared strike nearby)."""
        options, weights = [], []
        for governorate in range(len(self.governorate_ids)):
            places = np.flatnonzero(self.place_governorate == governorate)
            if len(places) == 0:
                places = np.array([0])  # a governorate without places is never drawn from
            options.extend(places)
            weights.append([1.0] * len(places))
        return _GroupedChoice(weights), np.array(options)

    @cached_property
    def source_choice(self) -> tuple[np.ndarray, _GroupedChoice, np.ndarray]:
        """Type weights for claims, then per type its sources by weight (generator._SourcePicker)."""
        present = sorted(set(int(t) for t in self.sources.type_index))
        type_weights = np.array([_SOURCE_TYPE_PLAN.get(self.sources.types[t], _OTHER_SOURCE_TYPE).claims
                                 for t in present])
        options, weights = [], []
        for t in present:
            members = np.flatnonzero(self.sources.type_index == t)
            options.extend(members)
            weights.append(self.sources.weight[members])
        return type_weights / type_weights.sum(), _GroupedChoice(weights), np.array(options)

    @cached_property
    def days(self) -> _Days:
        return _Days()

    @cached_property
    def spell(self) -> _Spellings:
        return _Spellings(self)

    @cached_property
    def dirt_codes(self) -> _CodeSpace:
        return _CodeSpace(self.plan.widths["code"], self.plan.code_max)

    @cached_property
    def dirt_source_ids(self) -> _NumberedIds:
        return _NumberedIds("SRC", self.plan.widths["source"], len(self.sources.type_index))

    @cached_property
    def background_plans(self) -> dict[str, BackgroundPlan]:
        lines = _background_lines(self.plan.n_claims)
        return {c: background_plan(self.world, c, lines) for c in CAMPAIGNS}

    @cached_property
    def campaign_start(self) -> np.ndarray:
        return np.array([self.world.starts[c].toordinal() for c in CAMPAIGNS])


class _Spellings:
    """Every spelling table the blocks draw from, with the demo's arguments to _spelling."""

    def __init__(self, ctx: _Context) -> None:
        ref = ctx.ref
        places = [ref.place_aliases[p] for p in ctx.place_ids]
        governorates = [ref.governorate_aliases[g] for g in ctx.governorate_ids]
        belligerents = [ref.belligerent_aliases[b] for b in ctx.belligerent_ids]
        countries = [ref.spellings("country", c) for c in ctx.country_ids]
        names = [ref.countries[c].name for c in ctx.country_ids]
        self.precision_ids = list(ref.geo_precisions)
        precisions = [ref.spellings("geo_precision", p) for p in self.precision_ids]
        self.claim_place = _Options.by_arabic(places, first_share=0.4)
        self.claim_governorate = _Options.by_arabic(governorates, first_share=0.5)
        self.claim_belligerent = _Options.by_arabic(belligerents, first_share=0.25)
        self.claim_unknown = _Options.by_arabic([ref.belligerent_aliases["unknown"]], first_share=0.5)
        self.claim_country = _Options(
            [[name, *options] for name, options in zip(names, countries, strict=False) for _ in (0, 1)],
            [[0.6, *(0.4 * w for w in _spelling_weights(options, ARABIC_SHARE[a], 0.3))]
             for options in countries for a in ("other", "Arabic")],
        )
        self.claim_precision = _Options.spellings(precisions, first_share=0.6)
        self.incident_precision = _Options.spellings(precisions, first_share=0.7)
        self.incident_place = _Options.spellings(places, 0.08, 0.55)
        self.incident_governorate = _Options.spellings(governorates, 0.05, 0.6)
        self.incident_country = _Options.spellings(countries, 0.05, 0.3, lead=names, lead_share=0.85)
        self.date_precision = _Options.spellings(
            [ref.spellings("date_precision", p) for _, p in INCIDENT_DATE_PRECISION], first_share=0.8)
        self.boolean = _Options.spellings([ref.spellings("boolean", b) for b in ("false", "true")])
        self.attributed = _Options.spellings(belligerents, 0.08, 0.3)
        self.attribution = _Options.spellings([ref.spellings("attribution", h) for h in ("known", "suspected")])
        self.release_place = _Options.spellings(places, 0.0, 0.6)
        self.release_belligerent = _Options.spellings(
            [_release_spellings(ref, b) for b in ctx.belligerent_ids], first_share=0.4)
        self.release_country = _Options.spellings(countries, 0.0, 0.3, lead=names, lead_share=0.85)
        self.statement_belligerent = _Options.spellings([_release_spellings(ref, "coalition")], first_share=0.3)
        self.verdict_ids = list(VERDICT_WEIGHTS["one_blamed"])
        self.verdict = _Options.spellings([ref.spellings("verdict", v) for v in self.verdict_ids], first_share=0.4)
        self.strike_status_ids = ["contested_strike", "declared_strike", "single_source_claim", "likely_strike"]
        self.strike_status = _Options.spellings(
            [ref.spellings("strike_status", s) for s in self.strike_status_ids], first_share=0.7)
        self.source_type = _Options.spellings([ref.spellings("source_type", t) for t in ctx.sources.types],
                                              first_share=0.6)


# --------------------------------------------------------------------------- incidents


@dataclass
class _Incidents:
    """Incidents as parallel arrays; -1 stands for none (no end date, unknown figure, no belligerent)."""

    cell: np.ndarray
    day: np.ndarray
    end: np.ndarray
    precision: np.ndarray  # index into INCIDENT_DATE_PRECISION: exact, range, month
    place: np.ndarray
    lat: np.ndarray
    lon: np.ndarray
    blamed: np.ndarray  # (n, 3) belligerent indices, primary first
    suspected: np.ndarray  # (n, 3) True where the attribution is suspected, not known
    harm: np.ndarray
    killed_low: np.ndarray
    killed_high: np.ndarray
    injured_low: np.ndarray
    injured_high: np.ndarray
    pair: np.ndarray  # split parent and child share a pair number; -1 otherwise
    child: np.ndarray

    def __len__(self) -> int:
        return len(self.day)

    def take(self, index: np.ndarray) -> _Incidents:
        return _Incidents(**{name: value[index] for name, value in vars(self).items()})

    @staticmethod
    def concat(parts: Sequence[_Incidents]) -> _Incidents:
        return _Incidents(**{name: np.concatenate([vars(p)[name] for p in parts]) for name in vars(parts[0])})

    @property
    def last_day(self) -> np.ndarray:
        return np.where(self.end >= 0, self.end, self.day)


def _new_incidents(rng: np.random.Generator, ctx: _Context, cell: np.ndarray) -> _Incidents:
    """generator._new_incident for every cell given (one incident per entry)."""
    n = len(cell)
    plan = ctx.plan
    first, last = plan.cell_first[cell], plan.cell_last[cell]
    day = first + rng.integers(0, last - first + 1)
    precision = _pick_shares(rng, INCIDENT_DATE_PRECISION, n)
    end = np.where(precision == 1, np.minimum(day + rng.integers(1, 4, n), LAST), -1)
    collapsed = (precision == 1) & (end == day)
    precision, end = np.where(collapsed, 0, precision), np.where(collapsed, -1, end)
    choice, options = ctx.cell_places
    place = options[choice.draw(rng, cell)]
    lat, lon = _point_near(rng, ctx, place, ctx.place_extent[place])
    killed_size = _buckets(rng, KILLED_SIZE_BUCKETS, n)
    killed_low, killed_high = _figure_truth(rng, UNKNOWN_KILLED_SHARE, killed_size)
    injured_low, injured_high = _figure_truth(rng, UNKNOWN_INJURED_SHARE, rng.integers(0, 2 * killed_size + 4))
    blamed, suspected = _attribution(rng, ctx, plan.cell_campaign[cell], place, day)
    return _Incidents(
        cell=cell, day=day, end=end, precision=precision, place=place, lat=lat, lon=lon,
        blamed=blamed, suspected=suspected, harm=rng.random(n) > NO_HARM_SHARE,
        killed_low=killed_low, killed_high=killed_high, injured_low=injured_low, injured_high=injured_high,
        pair=np.full(n, -1), child=np.zeros(n, dtype=bool),
    )


def _point_near(rng: np.random.Generator, ctx: _Context, place: np.ndarray,
                km: np.ndarray | float) -> tuple[np.ndarray, np.ndarray]:
    """A point within ``km`` of each place, or the place itself when that falls outside the country box."""
    lat, lon = _jitter(rng, ctx.place_lat[place], ctx.place_lon[place], km)
    inside = ctx.inside(ctx.place_country[place], lat, lon)
    return np.where(inside, lat, ctx.place_lat[place]), np.where(inside, lon, ctx.place_lon[place])


def _attribution(rng: np.random.Generator, ctx: _Context, campaign: np.ndarray, place: np.ndarray,
                 day: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """generator._attribution for every incident: up to three belligerents blamed, primary first."""
    n = len(day)
    blamed = np.full((n, 3), -1)
    suspected = np.zeros((n, 3), dtype=bool)
    ci, cs, rs = (campaign == CAMPAIGNS.index(c) for c in CAMPAIGNS)
    blamed[:, 0] = np.where(rs, ctx.belligerent("russia"), ctx.belligerent("coalition"))
    second_suspected = ~(rng.random(n) < 0.3)
    u1, u2, u3 = rng.random((3, n))
    governorate = np.array(ctx.governorate_ids)[ctx.place_governorate[place]]
    russia_start = ctx.world.starts["RS"].toordinal()

    regime = rs & (u1 < 0.45)
    coalition_too = rs & np.isin(governorate, ("deir_ezzor", "raqqa")) & (u2 < 0.12)
    russia_too = (cs & (day >= russia_start)
                  & np.isin(governorate, ("raqqa", "deir_ezzor", "aleppo", "idlib", "homs")) & (u1 < 0.06))
    turkey = cs & ~russia_too & (governorate == "aleppo") & (day >= dt.date(2016, 8, 24).toordinal()) & (u2 < 0.15)
    sdf = cs & ~russia_too & ~turkey & (governorate == "raqqa") & (u3 < 0.05)
    mosul = np.array(ctx.place_ids)[place] == "mosul"
    iraqi = ci & (u1 < np.where(mosul, 0.15, 0.05))

    second = np.full(n, -1)
    for mask, belligerent in ((regime, "syrian_regime"), (russia_too, "russia"), (turkey, "turkey"), (iraqi, "iraqi_forces")):
        second[mask] = ctx.belligerent(belligerent)
    blamed[:, 1] = second
    suspected[:, 1] = (second >= 0) & second_suspected
    # The coalition suspected beside Russia takes the next free slot; the SDF is always suspected.
    slot = np.where(regime, 2, 1)
    rows = np.flatnonzero(coalition_too)
    blamed[rows, slot[rows]] = ctx.belligerent("coalition")
    suspected[rows, slot[rows]] = True
    blamed[sdf, 1] = ctx.belligerent("sdf")
    suspected[sdf, 1] = True
    return blamed, suspected


def _with_split_siblings(rng: np.random.Generator, ctx: _Context, inc: _Incidents) -> _Incidents:
    """generator._split_siblings: a few incidents were split in two, the parts sharing a number."""
    n = len(inc)
    k = min(n, max(1, round(n / SPLIT_EVERY))) if n >= 2 else 0
    if k == 0:
        return inc
    parents = np.sort(rng.choice(n, size=k, replace=False))
    choice, options = ctx.governorate_places
    place = options[choice.draw(rng, ctx.place_governorate[inc.place[parents]])]
    lat, lon = _point_near(rng, ctx, place, 1.0)
    killed_low, killed_high = _figure_truth(rng, UNKNOWN_KILLED_SHARE, _buckets(rng, KILLED_SIZE_BUCKETS, k))
    siblings = inc.take(parents)
    siblings.place, siblings.lat, siblings.lon = place, lat, lon
    siblings.killed_low, siblings.killed_high = killed_low, killed_high
    siblings.injured_low = siblings.injured_high = np.full(k, -1)
    siblings.child = np.ones(k, dtype=bool)
    siblings.pair = np.arange(k)
    inc.pair = inc.pair.copy()
    inc.pair[parents] = np.arange(k)
    return _Incidents.concat([inc, siblings])


@dataclass
class _Codes:
    """Incident codes of a block, in its incident order."""

    text: pa.Array
    previous: pa.Array
    sort_key: np.ndarray  # orders incidents as their codes sort


def _assign_codes(rng: np.random.Generator, ctx: _Context, block: _Block, inc: _Incidents) -> _Codes:
    """generator._assign_codes with the block's numbers: per campaign in date order; a merge uses up
    the next number (kept as a previous code), a split gives a and b the same number."""
    n = len(inc)
    width = ctx.plan.widths["code"]
    campaign = ctx.plan.cell_campaign[inc.cell]
    parent = (inc.pair >= 0) & ~inc.child
    number = np.full(n, -1)
    merged = np.zeros(n, dtype=bool)
    for c in range(len(CAMPAIGNS)):
        members = np.flatnonzero((campaign == c) & ~inc.child)
        candidates = members[~parent[members]]
        chosen = rng.choice(candidates, size=min(block.merges[c], len(candidates)), replace=False)
        merged[chosen] = True
        steps = 1 + merged[members]
        number[members] = block.code_start[c] + np.cumsum(steps) - steps
    old = np.flatnonzero((campaign == CAMPAIGNS.index("RS")) & ~inc.child & ~parent
                         & (inc.day < OLD_RUSSIAN_CODES_UNTIL.toordinal()))
    old = np.sort(rng.choice(old, size=min(block.old_russian, len(old)), replace=False))
    old_number = np.full(n, -1)
    old_number[old] = block.old_russian_start + np.arange(len(old))
    # A split child takes its parent's number.
    pair_parent = np.full(max(int(inc.pair.max()) + 1, 0), -1)
    pair_parent[inc.pair[parent]] = np.flatnonzero(parent)
    children = np.flatnonzero(inc.child)
    number[children] = number[pair_parent[inc.pair[children]]]

    prefix = pa.array(CAMPAIGNS).take(pa.array(campaign))
    base = _join(prefix, _padded(number, width))
    suffix = np.where(inc.child, 2, np.where(parent, 1, 0))
    text = _join(base, pa.array(["", "a", "b"]).take(pa.array(suffix)))
    old_text = _where(old_number >= 0, _join("R", _numbers(old_number)))
    merged_text = _where(merged, _join(prefix, _padded(number + 1, width)))
    split_text = _where(suffix > 0, base)
    previous = _join_present([old_text, merged_text, split_text], " ")
    sort_key = np.lexsort((suffix, number, campaign))
    rank = np.empty(n, dtype=np.int64)
    rank[sort_key] = np.arange(n)
    return _Codes(text=text, previous=previous, sort_key=rank)


# --------------------------------------------------------------------------- claims


@dataclass
class _Claims:
    """A block's claims: who reported what about which subject (an incident or a new one)."""

    subject: np.ndarray  # index into the block's incidents followed by the unregistered ones
    linked: np.ndarray
    source: np.ndarray
    reported: np.ndarray
    killed_low: np.ndarray
    killed_high: np.ndarray
    injured_low: np.ndarray
    injured_high: np.ndarray
    table: pa.Table
    country: np.ndarray  # the subject's country and governorate, for the dirt mutators
    governorate: np.ndarray


def _claim_counts(rng: np.random.Generator, killed_high: np.ndarray, target: int) -> np.ndarray:
    """generator._claim_counts: skewed counts adding up to ``target``, the largest for the deadliest."""
    n = len(killed_high)
    uppers = np.array([u for u, _ in CLAIMS_PER_INCIDENT])
    values = np.array([c for _, c in CLAIMS_PER_INCIDENT])
    bucket = np.searchsorted(uppers, rng.random(n), side="right")
    tail = CLAIMS_TAIL_START + np.minimum(CLAIMS_MAX - CLAIMS_TAIL_START,
                                          np.floor(rng.exponential(CLAIMS_TAIL_MEAN, n)).astype(np.int64))
    counts = np.where(bucket < len(values), values[np.minimum(bucket, len(values) - 1)], tail)
    for _ in range(100):
        gap = target - int(counts.sum())
        if gap == 0:
            break
        if gap > 0:
            eligible = np.flatnonzero((counts >= 2) & (counts < CLAIMS_MAX))
            if len(eligible) == 0:
                eligible = np.flatnonzero(counts < CLAIMS_MAX)
            step = 1
        else:
            eligible = np.flatnonzero(counts >= 3)
            if len(eligible) == 0:
                eligible = np.flatnonzero(counts >= 2)
            step = -1
        if len(eligible) == 0:
            break
        counts[rng.choice(eligible, size=min(abs(gap), len(eligible)), replace=False)] += step
    keys = (np.maximum(killed_high, 0) + 1) * rng.uniform(0.3, 1.7, n)
    result = np.empty(n, dtype=np.int64)
    result[np.argsort(-keys, kind="stable")] = np.sort(counts)[::-1]
    return result


def _pick_sources(rng: np.random.Generator, ctx: _Context, n: int) -> np.ndarray:
    type_weights, choice, options = ctx.source_choice
    return options[choice.draw(rng, rng.choice(len(type_weights), size=n, p=type_weights))]


def _distinct_sources(rng: np.random.Generator, ctx: _Context, subject: np.ndarray, source: np.ndarray,
                      linked: np.ndarray) -> np.ndarray:
    """Redraw a source cited twice for one incident (generator._SourcePicker's exclude)."""
    source = source.copy()
    rows = np.flatnonzero(linked)
    for _ in range(50):
        key = subject[rows] * len(ctx.sources.type_index) + source[rows]
        _, first = np.unique(key, return_index=True)
        repeated = np.ones(len(rows), dtype=bool)
        repeated[first] = False
        if not repeated.any():
            break
        source[rows[repeated]] = _pick_sources(rng, ctx, int(repeated.sum()))
    return source


def _claim_dates(rng: np.random.Generator, ctx: _Context, inc: _Incidents, reported: np.ndarray
                 ) -> tuple[pa.Array, pa.Array, pa.Array]:
    """generator._claim_dates for every claim: (incident_date, start, end) as text."""
    n = len(inc)
    day, last_day = inc.day, inc.last_day
    r = rng.random(n)
    shifted = np.where(rng.random(n) < 0.05, day + rng.choice((-1, 1), n), day)
    after = rng.integers(1, 2, n, endpoint=True)
    before = rng.integers(0, 1, n, endpoint=True)
    inside = day + np.floor(rng.random(n) * (last_day - day + 1)).astype(np.int64)
    back = rng.integers(3, 10, n, endpoint=True)
    month_first, month_last = ctx.days.month_first[day - FIRST_TEXT_DAY], ctx.days.month_last[day - FIRST_TEXT_DAY]

    exact, ranged, month = (inc.precision == k for k in range(3))
    on_day = np.full(n, -1)
    in_month = np.zeros(n, dtype=bool)
    start = np.full(n, -1)
    end = np.full(n, -1)
    # exact: the day (sometimes a day off), a short range around it, the month, or nothing
    rows = exact & (r < 0.74)
    on_day[rows] = np.minimum(shifted, reported)[rows]
    rows = exact & (r >= 0.74) & (r < 0.82)
    range_end = np.minimum(day + after, reported)
    end[rows] = range_end[rows]
    start[rows] = np.minimum(day - before, range_end - 1)[rows]
    in_month |= exact & (r >= 0.82) & (r < 0.88)
    # range: the range, a day inside it, or nothing
    rows = ranged & (r < 0.5)
    start[rows], end[rows] = day[rows], last_day[rows]
    rows = ranged & (r >= 0.5) & (r < 0.8)
    on_day[rows] = inside[rows]
    # month: the month, a range of days inside it when one fits, or nothing
    in_month |= month & (r < 0.5)
    range_end = np.minimum(np.minimum(month_last, reported), np.maximum(day + 3, month_first + 1))
    range_start = np.maximum(month_first, range_end - back)
    rows = month & (r >= 0.5) & (r < 0.7) & (range_start < range_end)
    start[rows], end[rows] = range_start[rows], range_end[rows]

    incident_date = pc.coalesce(ctx.days.text(on_day), _where(in_month, ctx.days.text(day, "month")))
    return incident_date, ctx.days.text(start), ctx.days.text(end)


def _claim_figures(rng: np.random.Generator, low: np.ndarray, high: np.ndarray, unknown_share: float
                   ) -> tuple[np.ndarray, np.ndarray]:
    """generator._claim_figures for every claim: exact, a range, 'at least N' or unknown (-1)."""
    n = len(low)
    r = rng.random(n)
    known = (low >= 0) & (r >= unknown_share)
    safe_low, safe_high = np.maximum(low, 0), np.maximum(high, 0)
    value = rng.integers(safe_low, safe_high + 1)
    range_low = rng.integers(safe_low, np.maximum(safe_high, safe_low + 1))
    range_high = rng.integers(range_low + 1, np.maximum(safe_high, range_low + 1) + 1)
    at_least = rng.integers(safe_low, safe_high + 1)
    single = (r < unknown_share + 0.5) | (high == low)
    as_range = ~single & (r < unknown_share + 0.75)
    out_low = np.where(single, value, np.where(as_range, range_low, at_least))
    out_high = np.where(single, np.where((r < unknown_share + 0.85) | (value == 0), value, -1),
                        np.where(as_range, range_high, -1))
    return np.where(known, out_low, -1), np.where(known, out_high, -1)


def _coordinates(rng: np.random.Generator, ctx: _Context, inc: _Incidents, precision: np.ndarray
                 ) -> tuple[pa.Array, pa.Array]:
    """generator._coordinates for every row at its precision (index into ref.geo_precisions)."""
    ids = ctx.spell.precision_ids
    radius = np.array([ctx.ref.geo_precisions[p][0] for p in ids])[precision]
    is_point = np.array([ctx.ref.geo_precisions[p][1] for p in ids])[precision]
    place = inc.place
    plat, plon = ctx.place_lat[place], ctx.place_lon[place]
    around_place = _jitter(rng, plat, plon, radius * 0.4)
    around_point = _jitter(rng, inc.lat, inc.lon, radius)
    lat = np.where(~is_point, around_place[0], np.where(radius >= 5, plat, around_point[0]))
    lon = np.where(~is_point, around_place[1], np.where(radius >= 5, plon, around_point[1]))
    inside = ctx.inside(ctx.place_country[place], lat, lon)
    lat, lon = np.where(inside, lat, plat), np.where(inside, lon, plon)
    governorate = np.array(ids)[precision] == "governorate"
    gov = ctx.place_governorate[place]
    gov_lat = np.array([ctx.ref.governorates[g].lat for g in ctx.governorate_ids])[gov]
    gov_lon = np.array([ctx.ref.governorates[g].lon for g in ctx.governorate_ids])[gov]
    lat, lon = np.where(governorate, gov_lat, lat), np.where(governorate, gov_lon, lon)
    places = np.where(governorate, 4, np.where(radius < 0.05, 6, np.where(radius < 2, 5, 4)))
    return _decimals(lat, places), _decimals(lon, places)


def _make_claims(rng: np.random.Generator, ctx: _Context, block: _Block, inc: _Incidents, codes: _Codes,
                 ) -> tuple[_Claims, np.ndarray, _Incidents]:
    """generator._make_claims for one block; returns the claims, linked claims per incident, and
    the unregistered incidents unlinked claims are about."""
    n_inc = len(inc)
    counts = _claim_counts(rng, inc.killed_high, round(block.claims * LINKED_CLAIM_SHARE))
    unlinked = block.claims - int(counts.sum())
    # Units of unlinked claims: half about a known incident (one claim), half about a new one (1-2).
    new = rng.random(unlinked) >= 0.5
    sizes = np.where(new, rng.integers(1, 3, unlinked, endpoint=False), 1)
    units = int(np.searchsorted(np.cumsum(sizes), unlinked)) + 1 if unlinked else 0
    new, sizes = new[:units], sizes[:units]
    if units:
        sizes[-1] -= int(sizes.sum()) - unlinked
    template = rng.integers(0, n_inc, units)
    phantoms = _new_incidents(rng, ctx, inc.cell[template[new]])
    subject_of_unit = template.copy()
    subject_of_unit[new] = n_inc + np.arange(int(new.sum()))
    subject = np.concatenate([np.repeat(np.arange(n_inc), counts), np.repeat(subject_of_unit, sizes)])
    linked = np.arange(len(subject)) < int(counts.sum())
    about = _Incidents.concat([inc, phantoms]).take(subject)

    source = _distinct_sources(rng, ctx, subject, _pick_sources(rng, ctx, len(subject)), linked)
    arabic = ctx.sources.arabic[source].astype(np.int64)
    reported = np.minimum(about.last_day + _buckets(rng, REPORT_LAG_BUCKETS, len(subject)), LAST_REPORT)

    # Order as the demo does: by report date, then code (unlinked first), then source.
    code_rank = np.where(linked, codes.sort_key[np.minimum(subject, n_inc - 1)], -1)
    order = np.lexsort((source, code_rank, reported))
    subject, linked, source, arabic, reported = subject[order], linked[order], source[order], arabic[order], reported[order]
    about = about.take(order)
    n = len(subject)

    incident_date, start, end = _claim_dates(rng, ctx, about, reported)
    spell = ctx.spell
    has_point = rng.random(n) < CLAIM_COORDINATE_SHARE
    precision = _weighted_index(rng, {p: _CLAIM_PRECISION_WEIGHTS.get(p, 1) for p in spell.precision_ids}, n)
    lat, lon = _coordinates(rng, ctx, about, precision)
    killed_low, killed_high = _claim_figures(rng, about.killed_low, about.killed_high, CLAIM_UNKNOWN_KILLED_SHARE)
    injured_low, injured_high = _claim_figures(rng, about.injured_low, about.injured_high, CLAIM_UNKNOWN_INJURED_SHARE)
    governorate = ctx.place_governorate[about.place]
    country = ctx.place_country[about.place]
    numbers = block.claim_start + np.arange(n)
    claim_id = _join("CLM", _padded(numbers, ctx.plan.widths["claim"]))
    lower_id = _join("clm", _padded(numbers, ctx.plan.widths["claim"]))
    code_text = codes.text.take(pa.array(np.minimum(subject, n_inc - 1)))
    columns = {
        "claim_id": claim_id,
        "source_id": ctx.sources.ids.take(pa.array(source)),
        "date_reported": ctx.days.text(reported),
        "incident_date": incident_date,
        "incident_date_start": start,
        "incident_date_end": end,
        "place_as_written": spell.claim_place.draw(rng, 2 * about.place + arabic),
        "governorate_as_written": _where(rng.random(n) >= 0.15, spell.claim_governorate.draw(rng, 2 * governorate + arabic)),
        "country_as_written": _where(rng.random(n) >= 0.3, spell.claim_country.draw(rng, 2 * country + arabic)),
        "latitude": _where(has_point, lat),
        "longitude": _where(has_point, lon),
        "geolocation_precision": _where(has_point, spell.claim_precision.draw(rng, precision)),
        "belligerents_as_written": _claim_belligerents(rng, ctx, about, arabic),
        "civilians_killed_min": _numbers(killed_low),
        "civilians_killed_max": _numbers(killed_high),
        "civilians_injured_min": _numbers(injured_low),
        "civilians_injured_max": _numbers(injured_high),
        "report_url": _join(SYNTHETIC_URL, "/", ctx.sources.slug.take(pa.array(source)), "/",
                            ctx.days.text(reported, "slashed"), "/", lower_id),
        "archive_url": _where(numbers % 10 < 7, _join(SYNTHETIC_URL, "/archive/", lower_id)),
        "incident_code": _where(linked, code_text),
    }
    claims = _Claims(
        subject=subject, linked=linked, source=source, reported=reported,
        killed_low=killed_low, killed_high=killed_high, injured_low=injured_low, injured_high=injured_high,
        table=pa.table(columns), country=country, governorate=governorate,
    )
    return claims, counts, phantoms


def _claim_belligerents(rng: np.random.Generator, ctx: _Context, about: _Incidents, arabic: np.ndarray) -> pa.Array:
    """generator._claim_belligerents: 'unknown', or all, the first, or the others of those blamed."""
    n = len(about)
    blamed = about.blamed
    several = blamed[:, 1] >= 0
    r = rng.random(n)
    keep_first = ~several | (r < 0.75)
    keep_rest = several & ((r < 0.4) | (r >= 0.75))
    spelled = []
    for slot in range(3):
        keep = (blamed[:, slot] >= 0) & (keep_first if slot == 0 else keep_rest)
        text = ctx.spell.claim_belligerent.draw(rng, 2 * np.maximum(blamed[:, slot], 0) + arabic)
        spelled.append(_where(keep, text))
    named = _join_present(spelled, ";")
    unknown = rng.random(n) < UNKNOWN_BLAME_SHARE
    return pc.if_else(pa.array(unknown), ctx.spell.claim_unknown.draw(rng, arabic), named)


def _linked_range(claims: _Claims, n_inc: int, low: np.ndarray, high: np.ndarray,
                  until: np.ndarray | None = None, incident_of: np.ndarray | None = None
                  ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """generator._figure_range per incident (or per assessment with ``until``): the lowest low and
    highest figure among linked claims reported by then, and how many claims were known."""
    rows = np.flatnonzero(claims.linked)
    incident = claims.subject[rows]
    rows = rows[np.argsort(incident, kind="stable")]
    incident = claims.subject[rows]
    starts = np.searchsorted(incident, np.arange(n_inc))
    ends = np.searchsorted(incident, np.arange(n_inc), side="right")
    if incident_of is None:
        incident_of = np.arange(n_inc)
    sizes = (ends - starts)[incident_of]
    pair_owner = np.repeat(np.arange(len(incident_of)), sizes)
    offsets = np.arange(int(sizes.sum())) - np.repeat(np.cumsum(sizes) - sizes, sizes)
    pair_rows = rows[np.repeat(starts[incident_of], sizes) + offsets]
    known = np.ones(len(pair_rows), dtype=bool) if until is None else claims.reported[pair_rows] <= until[pair_owner]
    lows = low[pair_rows].astype(np.float64)
    highs = np.where(high[pair_rows] >= 0, high[pair_rows], low[pair_rows]).astype(np.float64)
    usable = known & (lows >= 0)
    lows[~usable] = np.nan
    highs[~usable] = np.nan
    out_low = np.full(len(incident_of), np.nan)
    out_high = np.full(len(incident_of), np.nan)
    count = np.zeros(len(incident_of), dtype=np.int64)
    nonempty = sizes > 0
    if len(pair_rows):
        starts_of_owner = (np.cumsum(sizes) - sizes)[nonempty]
        with np.errstate(invalid="ignore"):
            out_low[nonempty] = np.fmin.reduceat(lows, starts_of_owner)
            out_high[nonempty] = np.fmax.reduceat(highs, starts_of_owner)
        count[nonempty] = np.add.reduceat(known.astype(np.int64), starts_of_owner)
    as_int = lambda a: np.where(np.isnan(a), -1, a).astype(np.int64)  # noqa: E731
    return as_int(out_low), as_int(out_high), count


# --------------------------------------------------------------------------- the other tables


def _incident_table(rng: np.random.Generator, ctx: _Context, inc: _Incidents, codes: _Codes,
                    first_published: np.ndarray) -> pa.Table:
    """generator._incident_row for every incident."""
    n = len(inc)
    spell = ctx.spell
    ids = spell.precision_ids
    has_point = rng.random(n) < INCIDENT_COORDINATE_SHARE
    precision = _weighted_index(rng, {p: _INCIDENT_PRECISION_WEIGHTS.get(p, 1) for p in ids}, n)
    kind = np.array([ids.index(p.kind) if p.kind in ids else -1 for p in ctx.ref.places.values()])[inc.place]
    by_kind = np.isin(np.array(ids)[precision], ("village", "town", "city")) & (kind >= 0)
    precision = np.where(by_kind, kind, precision)
    lat, lon = _coordinates(rng, ctx, inc, precision)
    governorate = ctx.place_governorate[inc.place]
    country = ctx.place_country[inc.place]
    as_written = rng.random(n) < 0.9
    harm = inc.harm.astype(np.int64)
    return pa.table({
        "incident_code": codes.text,
        "previous_codes": codes.previous,
        "incident_date": pc.if_else(pa.array(inc.precision == 2), ctx.days.text(inc.day, "month"), ctx.days.text(inc.day)),
        "incident_date_end": ctx.days.text(inc.end),
        "date_precision": spell.date_precision.draw(rng, inc.precision),
        "place_as_written": spell.incident_place.draw(rng, inc.place),
        "governorate_as_written": spell.incident_governorate.draw(rng, governorate),
        "country_as_written": spell.incident_country.draw(rng, country),
        "latitude": _where(has_point, lat),
        "longitude": _where(has_point, lon),
        "geolocation_precision": _where(has_point, spell.incident_precision.draw(rng, precision)),
        "civilian_harm_reported": pc.if_else(pa.array(as_written), pa.array(["no", "yes"]).take(pa.array(harm)),
                                             spell.boolean.draw(rng, harm)),
        "first_published": ctx.days.text(first_published),
    })


def _belligerent_table(rng: np.random.Generator, ctx: _Context, inc: _Incidents, codes: _Codes) -> pa.Table:
    """generator._belligerent_rows: one row per incident and belligerent blamed, in code order."""
    incident, slot = np.nonzero(inc.blamed >= 0)
    order = np.lexsort((slot, codes.sort_key[incident]))
    incident, slot = incident[order], slot[order]
    return pa.table({
        "incident_code": codes.text.take(pa.array(incident)),
        "belligerent_as_written": ctx.spell.attributed.draw(rng, inc.blamed[incident, slot]),
        "attribution_type": ctx.spell.attribution.draw(rng, inc.suspected[incident, slot].astype(np.int64)),
    })


def _strike_counts(rng: np.random.Generator, russian: np.ndarray) -> np.ndarray:
    """generator._strike_count for every line."""
    n = len(russian)
    coalition = np.minimum(1 + np.floor(rng.exponential(2.5, n)).astype(np.int64), 30)
    return np.where(russian, rng.integers(4, 40, n, endpoint=True), coalition)


def _declared_near(rng: np.random.Generator, ctx: _Context, inc: _Incidents) -> tuple[np.ndarray, tuple[np.ndarray, ...]]:
    """generator._make_releases' lines next to incidents: which incidents, and (day, belligerent, place, count)."""
    n = len(inc)
    primary = inc.blamed[:, 0]
    coalition = primary == ctx.belligerent("coalition")
    declared = rng.random(n) < np.where(coalition, DECLARED_SHARE["coalition"], DECLARED_SHARE["other"])
    shift = rng.choice((-1, 0, 0, 0, 1), n)
    start = ctx.campaign_start[ctx.plan.cell_campaign[inc.cell]]
    day = np.maximum(inc.day + shift, start)
    choice, options = ctx.governorate_places
    nearby = options[choice.draw(rng, ctx.place_governorate[inc.place])]
    place = np.where(rng.random(n) < 0.75, inc.place, nearby)
    count = _strike_counts(rng, primary == ctx.belligerent("russia"))
    rows = np.flatnonzero(declared)
    return declared, (day[rows], primary[rows], place[rows], count[rows])


def _background(ctx: _Context, cell: int) -> tuple[np.ndarray, ...]:
    """generator._background_releases for one month cell, from the cell's own stream."""
    rng = np.random.default_rng(np.random.SeedSequence(ctx.plan.seed, spawn_key=(2, cell)))
    campaign = CAMPAIGNS[ctx.plan.cell_campaign[cell]]
    plan = ctx.background_plans[campaign]
    daily = plan.daily_lines.get(ctx.plan.cell_month[cell], 0.0)
    first, last = int(ctx.plan.cell_first[cell]), int(ctx.plan.cell_last[cell])
    per_day = rng.poisson(daily, last - first + 1)
    day = np.repeat(np.arange(first, last + 1), per_day)
    places = np.array([ctx.place_ids.index(p.place_id) for p in plan.places])
    weights = np.asarray(plan.place_weights, dtype=np.float64)
    place = places[rng.choice(len(places), size=len(day), p=weights / weights.sum())]
    primary_id = _CAMPAIGNS[campaign][0]
    belligerent = np.full(len(day), ctx.belligerent(primary_id))
    return day, belligerent, place, _strike_counts(rng, belligerent == ctx.belligerent("russia"))


def _release_table(rng: np.random.Generator, ctx: _Context, lines: Sequence[tuple[np.ndarray, ...]]) -> pa.Table:
    """generator._release_row for every line, ordered as the demo orders releases."""
    day, belligerent, place, count = (np.concatenate(parts) for parts in zip(*lines, strict=False))
    country = ctx.place_country[place]
    belligerent_rank = np.argsort(np.argsort(np.array(ctx.belligerent_ids)))
    order = np.lexsort((count, ctx.place_rank[place], belligerent_rank[belligerent], country, day))
    day, belligerent, place, count, country = day[order], belligerent[order], place[order], count[order], country[order]
    n = len(day)
    spell = ctx.spell
    place_near = spell.release_place.draw(rng, place)
    count_text = _numbers(count)
    words = pa.array([*_NUMBER_WORDS]).take(pa.array(np.minimum(count, len(_NUMBER_WORDS) - 1)))
    words = pc.if_else(pa.array(count < len(_NUMBER_WORDS)), words, count_text)
    noun = pc.if_else(pa.array(count == 1), "strike", "strikes")
    targets = pa.array(list(_TARGETS))
    first_target = targets.take(pa.array(rng.integers(0, len(_TARGETS), n)))
    second_target = targets.take(pa.array(rng.integers(0, len(_TARGETS), n)))
    if not COALITION_RELEASE_TEXT.endswith("."):
        raise ValueError("COALITION_RELEASE_TEXT must end with a full stop")
    ending = pc.if_else(pa.array(rng.random(n) < SECOND_TARGET_SHARE),
                        _render(SECOND_TARGET_TEXT, target=second_target), ".")
    coalition_text = _join(_render(COALITION_RELEASE_TEXT[:-1], place=place_near, count=words, noun=noun,
                                   target=first_target), ending)
    russian_text = _render(RUSSIAN_RELEASE_TEXT, place=place_near, count=count_text)
    return pa.table({
        "strike_release_id": pa.nulls(n, pa.string()),
        "strike_date": ctx.days.text(day),
        "belligerent_as_written": spell.release_belligerent.draw(rng, belligerent),
        "country_as_written": spell.release_country.draw(rng, country),
        "place_near": place_near,
        "governorate_as_written": pa.nulls(n, pa.string()),
        "latitude": pa.nulls(n, pa.string()),
        "longitude": pa.nulls(n, pa.string()),
        "strike_count": count_text,
        "release_text": pc.if_else(pa.array(belligerent == ctx.belligerent("russia")), russian_text, coalition_text),
    })


@dataclass
class _Statements:
    has: np.ndarray  # per incident
    verdict: np.ndarray  # index into spell.verdict_ids, -1 without a statement
    day: np.ndarray  # statement date, -1 without
    table: pa.Table


def _statements(rng: np.random.Generator, ctx: _Context, inc: _Incidents, codes: _Codes, claims: _Claims) -> _Statements:
    """generator._make_statements: coalition verdicts on many coalition incidents; Russia gives none."""
    n = len(inc)
    spell = ctx.spell
    coalition = inc.blamed[:, 0] == ctx.belligerent("coalition")
    share = np.where(inc.day >= STATEMENTS_FROM.toordinal(), STATEMENT_SHARE["after"], STATEMENT_SHARE["before"])
    has = coalition & ~(rng.random(n) > share)
    situations = ("no_harm", "several_blamed", "one_blamed")
    situation = np.where(~inc.harm, 0, np.where(inc.blamed[:, 1] >= 0, 1, 2))
    verdict_choice = _GroupedChoice([[VERDICT_WEIGHTS[s].get(v, 0.0) for v in spell.verdict_ids] for s in situations])
    verdict = verdict_choice.draw(rng, situation) - verdict_choice.starts[situation]
    open_verdict = verdict == spell.verdict_ids.index("not_yet_assessed")
    lag = np.where(open_verdict, rng.integers(30, 200, n, endpoint=True), rng.integers(60, 540, n, endpoint=True))
    day = np.minimum(inc.last_day + lag, LAST_STATEMENT)

    credible = has & (verdict == spell.verdict_ids.index("credible"))
    alleged_low, alleged_high, _ = _linked_range(claims, n, claims.killed_low, claims.killed_high)
    injured_low, _, _ = _linked_range(claims, n, claims.injured_low, claims.injured_high)
    base = np.where(alleged_low > 0, alleged_low, rng.integers(1, 3, n, endpoint=True))
    conceded = np.maximum(1, np.rint(base * rng.uniform(0.2, 1.0, n)).astype(np.int64))
    conceded = np.where(alleged_high > 0, np.minimum(conceded, alleged_high), conceded)
    exact = rng.random(n) < 0.8
    deaths_low = np.where(exact, conceded, np.maximum(1, conceded - rng.integers(1, 3, n, endpoint=True)))
    hurt = rng.integers(0, np.maximum(1, np.where(injured_low > 0, injured_low, 2)), endpoint=True)
    with_injuries = rng.random(n) < 0.35
    verdict_text = spell.verdict.draw(rng, np.maximum(verdict, 0))
    capitalise = pa.array((rng.random(n) < 0.3) & ~pc.match_substring(verdict_text, "_").to_numpy(zero_copy_only=False))
    verdict_text = pc.if_else(capitalise, pc.utf8_capitalize(verdict_text), verdict_text)
    table = pa.table({
        "statement_id": pa.nulls(n, pa.string()),
        "incident_code": codes.text,
        "belligerent_as_written": spell.statement_belligerent.draw(rng, np.zeros(n, dtype=np.int64)),
        "verdict": verdict_text,
        "deaths_conceded_min": _numbers(np.where(credible, deaths_low, -1)),
        "deaths_conceded_max": _numbers(np.where(credible, conceded, -1)),
        "injuries_conceded_min": _numbers(np.where(credible & with_injuries, hurt, -1)),
        "injuries_conceded_max": _numbers(np.where(credible & with_injuries, hurt, -1)),
        "statement_date": ctx.days.text(day),
        "statement_url": pa.nulls(n, pa.string()),
    })
    rows = np.flatnonzero(has)
    rows = rows[np.lexsort((codes.sort_key[rows], day[rows]))]
    return _Statements(has=has, verdict=np.where(has, verdict, -1), day=np.where(has, day, -1),
                       table=table.take(pa.array(rows)))


_GRADES = ("confirmed", "fair", "weak", "contested", "discounted")


def _assessments(rng: np.random.Generator, ctx: _Context, inc: _Incidents, codes: _Codes, claims: _Claims,
                 counts: np.ndarray, first_published: np.ndarray, declared: np.ndarray, statements: _Statements,
                 ) -> pa.Table:
    """generator._make_assessments: 1-3 decisions per assessed incident, grades changing over time."""
    n = len(inc)
    spell = ctx.spell
    grade_index = {g: i for i, g in enumerate(_GRADES)}
    credible = statements.verdict == spell.verdict_ids.index("credible")
    russian = ctx.plan.cell_campaign[inc.cell] == CAMPAIGNS.index("RS")
    slowed = russian & (inc.day >= RUSSIAN_SLOWDOWN.toordinal())
    skip = np.full(n, UNASSESSED_SHARE)
    for until, share in reversed(RUSSIAN_UNASSESSED_SHARE):  # the earliest period that applies wins
        skip = np.where(slowed & (inc.day < until.toordinal()), share, skip)
    assessed = credible | (rng.random(n) >= skip)

    def weighted(kind: str) -> np.ndarray:
        weights = FINAL_GRADE_WEIGHTS[kind]
        return np.array([grade_index[g] for g in weights])[_weighted_index(rng, weights, n)]

    u = rng.random((2, n))
    # generator._final_grade: the first rule that applies decides.
    final = np.select(
        [credible, ~inc.harm, (inc.blamed[:, 1] >= 0) & (u[0] < CONTESTED_SHARE), counts == 1, russian, declared],
        [grade_index["confirmed"], grade_index["discounted"], grade_index["contested"],
         np.where(u[1] < SINGLE_SOURCE_WEAK_SHARE, grade_index["weak"], grade_index["discounted"]),
         weighted("russia"), weighted("declared")],
        weighted("other"),
    )
    # Trajectories: every option of every final grade, padded to three steps with -1.
    options = [(g, [grade_index[s] for s in steps], w) for g, table in _TRAJECTORIES.items() for steps, w in table]
    steps_table = np.array([s + [-1] * (3 - len(s)) for _, s, _ in options])
    choice = _GroupedChoice([[w if grade_index[g] == final_grade else 0.0 for g, _, w in options]
                             for final_grade in range(len(_GRADES))])
    trajectory = steps_table[choice.draw(rng, final) - choice.starts[final]]
    # Russian incidents after the slowdown get their final grade straight away.
    only_final = np.stack([final, np.full(n, -1), np.full(n, -1)], axis=1)
    trajectory = np.where(slowed[:, None], only_final, trajectory)

    step_lag = rng.integers(20, 300, (3, n), endpoint=True)
    confirm_lag = rng.integers(5, 60, (3, n), endpoint=True)
    day = first_published.copy()
    rows_incident, rows_step, rows_day = [], [], []
    for step in range(3):
        grade = trajectory[:, step]
        present = assessed & (grade >= 0)
        if step:
            day = day + step_lag[step]
        confirmed = (grade == grade_index["confirmed"]) & (statements.day >= 0)
        day = np.where(confirmed, np.maximum(day, statements.day + confirm_lag[step]), day)
        rows = np.flatnonzero(present)
        rows_incident.append(rows)
        rows_step.append(np.full(len(rows), step))
        rows_day.append(day[rows])
    incident = np.concatenate(rows_incident)
    step = np.concatenate(rows_step)
    day = np.concatenate(rows_day)
    order = np.lexsort((codes.sort_key[incident], day))
    incident, step, day = incident[order], step[order], day[order]
    m = len(incident)
    grade = trajectory[incident, step]
    previous = np.where(step > 0, trajectory[incident, np.maximum(step - 1, 0)], -1)

    killed_low, killed_high, known = _linked_range(claims, n, claims.killed_low, claims.killed_high, day, incident)
    injured_low, injured_high, _ = _linked_range(claims, n, claims.injured_low, claims.injured_high, day, incident)
    children = (killed_high >= 3) & (rng.random(m) < 0.35)
    women = children & (rng.random(m) < 0.7)
    children_low, children_high = _sub_range(rng, killed_high, 0.15, 0.5)
    women_low, women_high = _sub_range(rng, killed_high, 0.1, 0.35)

    notes = pa.array([_NOTES[("first", g)] for g in _GRADES] + [_NOTES[("same", "*")]]
                     + [_NOTES.get(("change", g), _NOTES[("same", "*")]) for g in _GRADES])
    note = np.where(previous < 0, grade, np.where(previous == grade, len(_GRADES), len(_GRADES) + 1 + grade))

    status = np.where(grade == grade_index["contested"], 0, np.where(
        (grade == grade_index["confirmed"]) | declared[incident], 1, np.where(known <= 1, 2, 3)))
    return pa.table({
        "assessment_id": pa.nulls(m, pa.string()),
        "incident_code": codes.text.take(pa.array(incident)),
        "assessed_on": ctx.days.text(day),
        "grade": _grade_text(rng, ctx, grade, day),
        "strike_status": spell.strike_status.draw(rng, status),
        "civilians_killed_min": _numbers(killed_low),
        "civilians_killed_max": _numbers(killed_high),
        "civilians_injured_min": _numbers(injured_low),
        "civilians_injured_max": _numbers(injured_high),
        "children_killed_min": _numbers(np.where(children, children_low, -1)),
        "children_killed_max": _numbers(np.where(children, children_high, -1)),
        "women_killed_min": _numbers(np.where(women, women_low, -1)),
        "women_killed_max": _numbers(np.where(women, women_high, -1)),
        "assessor_note": notes.take(pa.array(note)),
    })


def _sub_range(rng: np.random.Generator, total_high: np.ndarray, low_share: float, high_share: float
               ) -> tuple[np.ndarray, np.ndarray]:
    """generator._sub_range for every row."""
    n = len(total_high)
    high = np.maximum(1, np.rint(np.maximum(total_high, 0) * rng.uniform(low_share, high_share, n)).astype(np.int64))
    return rng.integers(np.ceil(high * 0.5).astype(np.int64), high, endpoint=True), high


def _grade_text(rng: np.random.Generator, ctx: _Context, grade: np.ndarray, day: np.ndarray) -> pa.Array:
    """generator._grade_spelling for every decision."""
    m = len(grade)
    ref = ctx.ref
    names = pa.array([ref.grade_names.get(g, g) for g in _GRADES])
    text = names.take(pa.array(grade))
    text = pc.if_else(pa.array(rng.random(m) < 0.05), pc.utf8_lower(text), text)
    old_names = [a for a in ref.spellings("grade", "discounted") if a.casefold() != "discounted"]
    if old_names:
        old = pa.array(old_names).take(pa.array(rng.integers(0, len(old_names), m)))
        old = pc.if_else(pa.array(rng.random(m) < 0.8), pc.utf8_capitalize(old), old)
        use_old = (grade == _GRADES.index("discounted")) & (day < OLD_GRADE_NAMES_UNTIL.toordinal()) & (rng.random(m) < 0.5)
        text = pc.if_else(pa.array(use_old), old, text)
    return text


# --------------------------------------------------------------------------- dirt


_ID_COLUMNS = {"raw_claims": "claim_id", "raw_sources": "source_id", "raw_incidents": "incident_code"}


def _apply_dirt(rng: np.random.Generator, dirt_rng: random.Random, ctx: _DirtContext, name: str, table: pa.Table,
                wanted: Mapping[str, int], meta: Mapping[str, np.ndarray] | None = None,
                ) -> tuple[pa.Table, dict[str, int]]:
    """Make the wanted dirty rows with the demo's mutators (generator._inject) and put them back:
    changed rows in place, duplicates right after the row they copy.

    The mutators see a random sample of rows, DIRT_SAMPLE_FACTOR times the rows still wanted;
    when a kind finds too few rows it applies to (a figure fault needs a figure), fresh rows
    are sampled for what is missing, until the table runs out."""
    n = table.num_rows
    missing = {kind: count for kind, count in wanted.items() if count}
    done: dict[str, int] = {}
    candidates = rng.permutation(n)
    cursor = 0
    samples: list[np.ndarray] = []
    changed: list[dict[str, str]] = []
    copies: list[tuple[int, dict[str, str]]] = []  # (row copied, the copy)
    while missing and cursor < n:
        size = min(n - cursor, DIRT_SAMPLE_FACTOR * sum(missing.values()) + 32)
        sample = np.sort(candidates[cursor:cursor + size])
        cursor += size
        rows = [{k: ("" if v is None else v) for k, v in row.items()}
                for row in table.take(pa.array(sample)).to_pylist()]
        meta_rows = [{key: str(values[i]) for key, values in (meta or {}).items()} for i in sample]
        dirty = Table(name, rows, meta_rows)
        for kind in _DIRT_ORDER:
            if missing.get(kind):
                made = _inject(dirt_rng, ctx, dirty, missing[kind], _MUTATORS[kind])
                done[kind] = done.get(kind, 0) + made
                missing[kind] -= made
        missing = {kind: count for kind, count in missing.items() if count}
        samples.append(sample)
        changed.extend(dirty.rows[:size])
        if len(dirty.rows) > size:
            # Duplicates keep the id of the row they copy (the first sampled row with that id).
            id_column = _ID_COLUMNS[name]
            origin = {}
            for i, row in zip(sample, dirty.rows[:size], strict=False):
                origin.setdefault(row[id_column], int(i))
            copies.extend((origin[row[id_column]], row) for row in dirty.rows[size:])
    if not samples:
        return table, done
    sampled = np.concatenate(samples)
    replacement = pa.Table.from_pylist([{k: (v if v != "" else None) for k, v in row.items()}
                                        for row in [*changed, *(row for _, row in copies)]], schema=table.schema)
    position = np.arange(n, dtype=np.int64)
    position[sampled] = n + np.arange(len(sampled))
    copy_of = np.array([i for i, _ in copies], dtype=np.int64)
    position = np.concatenate([position, n + len(sampled) + np.arange(len(copies))])
    keys = np.concatenate([np.arange(n, dtype=np.int64), copy_of])
    after = np.concatenate([np.zeros(n, dtype=np.int64), np.arange(1, len(copies) + 1)])
    order = np.lexsort((after, keys))
    return pa.concat_tables([table, replacement]).take(pa.array(position[order])), done


def _dirty_tables(rng: np.random.Generator, ctx: _Context, block: _Block, tables: dict[str, pa.Table],
                  meta: Mapping[str, Mapping[str, np.ndarray]]) -> dict[str, dict[str, int]]:
    dirt_rng = random.Random(int(rng.integers(2**62)))
    dirt_ctx = _DirtContext(ctx.ref, ctx.dirt_codes, ctx.dirt_source_ids, orphan_number=block.index * ORPHANS_PER_BLOCK)
    log: dict[str, dict[str, int]] = {}
    for name in tables:
        wanted = block.dirt.get(name, {})
        tables[name], done = _apply_dirt(rng, dirt_rng, dirt_ctx, name, tables[name], wanted, meta.get(name))
        for kind, count in done.items():
            log.setdefault(kind, {})[name] = count
    # As the demo logs it: every old grade name in the file, whether drawn or injected.
    grades = pc.utf8_lower(pc.utf8_trim_whitespace(tables["raw_incident_assessments"].column("grade")))
    old = [a.casefold() for a in ctx.ref.spellings("grade", "discounted") if a != "discounted"]
    log.setdefault("old_grade_name", {})["raw_incident_assessments"] = int(pc.sum(pc.is_in(grades, pa.array(old))).as_py() or 0)
    return log


# --------------------------------------------------------------------------- one block


@dataclass
class _BlockOutput:
    index: int
    claims: int
    tables: dict[str, pa.Table]
    dirt: dict[str, dict[str, int]]


def _make_block(ctx: _Context, block: _Block) -> _BlockOutput:
    rng = np.random.default_rng(np.random.SeedSequence(ctx.plan.seed, spawn_key=(1, block.index)))
    inc = _with_split_siblings(rng, ctx, _new_incidents(rng, ctx, block.cells))
    campaign = ctx.plan.cell_campaign[inc.cell]
    inc = inc.take(np.lexsort((ctx.place_rank[inc.place], campaign, inc.day)))
    codes = _assign_codes(rng, ctx, block, inc)
    n = len(inc)
    declared, near = _declared_near(rng, ctx, inc)
    claims, counts, _ = _make_claims(rng, ctx, block, inc, codes)
    first_report = np.full(n, np.iinfo(np.int64).max)
    np.minimum.at(first_report, claims.subject[claims.linked], claims.reported[claims.linked])
    first_published = first_report + rng.integers(2, 45, n, endpoint=True)
    statements = _statements(rng, ctx, inc, codes, claims)
    by_code = pa.array(np.argsort(codes.sort_key))
    tables = {
        "raw_claims": claims.table,
        "raw_incidents": _incident_table(rng, ctx, inc, codes, first_published).take(by_code),
        "raw_incident_belligerents": _belligerent_table(rng, ctx, inc, codes),
        "raw_incident_assessments": _assessments(rng, ctx, inc, codes, claims, counts, first_published,
                                                 declared, statements),
        "raw_belligerent_statements": statements.table,
        "raw_declared_strikes": _release_table(rng, ctx, [near, *(_background(ctx, c) for c in block.background_cells)]),
    }
    order = np.argsort(codes.sort_key)
    meta = {
        "raw_claims": {"country": np.array(ctx.country_ids)[claims.country],
                       "governorate": np.array(ctx.governorate_ids)[claims.governorate]},
        "raw_incidents": {"country": np.array(ctx.country_ids)[ctx.place_country[inc.place[order]]],
                          "governorate": np.array(ctx.governorate_ids)[ctx.place_governorate[inc.place[order]]]},
    }
    dirt = _dirty_tables(rng, ctx, block, tables, meta)
    return _BlockOutput(index=block.index, claims=block.claims, tables=tables, dirt=dirt)


# --------------------------------------------------------------------------- sources


def _make_sources(ctx_ref: Reference, plan: _Plan) -> tuple[_Sources, pa.Table, dict[str, dict[str, int]]]:
    """generator._make_sources and _source_row for N / 14.4 sources, as arrays."""
    rng = np.random.default_rng(np.random.SeedSequence(plan.seed, spawn_key=(3,)))
    total = _source_count(plan.n_claims)
    types = ctx_ref.source_types
    shares = np.array([_SOURCE_TYPE_PLAN.get(t, _OTHER_SOURCE_TYPE).share for t in types])
    type_index = np.concatenate([np.arange(min(total, len(types))),
                                 rng.choice(len(types), size=max(0, total - len(types)), p=shares / shares.sum())])
    places = [p.name for p in ctx_ref.places.values()]
    stems = pa.nulls(total, pa.string())
    platform = pa.nulls(total, pa.string())
    language = pa.nulls(total, pa.string())
    for t, type_id in enumerate(types):
        rows = np.flatnonzero(type_index == t)
        if len(rows) == 0:
            continue
        words = [pa.array(list(part)).take(pa.array(rng.integers(0, len(part), len(rows))))
                 for part in source_name_parts(type_id, places)]
        stem = pc.binary_join_element_wise(*words, " ") if len(words) > 1 else words[0]
        plan_t = _SOURCE_TYPE_PLAN.get(type_id, _OTHER_SOURCE_TYPE)
        stems = _scatter(stems, rows, stem)
        platform = _scatter(platform, rows, pa.array(list(plan_t.platforms)).take(
            pa.array(rng.integers(0, len(plan_t.platforms), len(rows)))))
        language = _scatter(language, rows, pa.array(list(plan_t.languages)).take(
            pa.array(rng.integers(0, len(plan_t.languages), len(rows)))))
    # generator._unique: the second "Aleppo Now" becomes "Aleppo Now 2", the third "Aleppo Now 3".
    occurrence = _occurrence(stems)
    stems = pc.if_else(pa.array(occurrence == 0), stems, _join(stems, " ", _numbers(occurrence + 1)))
    handle_types = np.isin(np.array(types)[type_index], HANDLE_SOURCE_TYPES)
    has_handle = handle_types | (rng.random(total) < HANDLE_SHARE)
    slugged = pc.utf8_trim(pc.replace_substring_regex(pc.utf8_lower(stems), pattern=r"[^\p{L}\p{N}]", replacement="_"),
                           characters="_")
    handle = _where(has_handle, _join("@demo_", slugged))
    name = _join("Demo ", stems, " (synthetic)")
    weight = np.minimum(1 + rng.pareto(1.3, total), 25.0)
    # Protected: the first witnesses and social media accounts by name, in the demo's proportion.
    type_text = pa.array(types).take(pa.array(type_index))
    by_name = pc.sort_indices(pa.table({"type": type_text, "name": name}),
                              sort_keys=[("type", "ascending"), ("name", "ascending")]).to_numpy()
    scale = plan.n_claims / DEFAULT_CLAIMS
    protected = np.zeros(total, dtype=bool)
    for type_id, share in (("witness_volunteer", 8), ("social_media", 2)):
        if type_id in types:
            members = by_name[type_index[by_name] == types.index(type_id)]
            protected[members[: max(share, round(share * scale))]] = True
    weight = np.where(protected, np.maximum(weight, 3.0), weight)
    number = np.empty(total, dtype=np.int64)
    number[by_name[rng.permutation(total)]] = np.arange(1, total + 1)
    order = np.argsort(number)
    width = plan.widths["source"]
    ids = _join("SRC", _padded(number, width))
    slug = _join("src", _padded(number, width))
    spelled = _Options.spellings([ctx_ref.spellings("source_type", t) for t in types], first_share=0.6)
    table = pa.table({
        "source_id": ids,
        "source_name": name,
        "source_handle": handle,
        "source_url": _join(SYNTHETIC_URL, "/sources/", slug),
        "source_type": spelled.draw(rng, type_index),
        "platform": platform,
        "language": language,
        "is_protected": pc.if_else(pa.array(protected), "true", "false"),
    }).take(pa.array(order))
    sources = _Sources(
        type_index=type_index[order], arabic=pc.equal(language, "Arabic").to_numpy(zero_copy_only=False)[order],
        weight=weight[order], slug=slug.take(pa.array(order)), ids=ids.take(pa.array(order)), types=tuple(types),
    )
    dirt_rng = random.Random(int(rng.integers(2**62)))
    dirt_ctx = _DirtContext(ctx_ref, (), _NumberedIds("SRC", width, total))
    wanted = {kind: tables["raw_sources"] for kind, tables in dirty_rows_wanted(plan.n_claims).items() if "raw_sources" in tables}
    table, done = _apply_dirt(rng, dirt_rng, dirt_ctx, "raw_sources", table, wanted)
    return sources, table, {kind: {"raw_sources": n} for kind, n in done.items()}


def _scatter(base: pa.Array, rows: np.ndarray, values: pa.Array) -> pa.Array:
    """``base`` with ``values`` put at ``rows``."""
    index = np.arange(len(base), dtype=np.int64)
    index[rows] = len(base) + np.arange(len(rows))
    return pa.concat_arrays([base, values.cast(base.type)]).take(pa.array(index))


def _occurrence(values: pa.Array) -> np.ndarray:
    """For each value, how many equal values come before it."""
    encoded = pc.dictionary_encode(values)
    codes = encoded.indices.to_numpy(zero_copy_only=False).astype(np.int64)
    order = np.argsort(codes, kind="stable")
    sorted_codes = codes[order]
    group_start = np.searchsorted(sorted_codes, sorted_codes, side="left")
    occurrence = np.empty(len(codes), dtype=np.int64)
    occurrence[order] = np.arange(len(codes)) - group_start
    return occurrence


# --------------------------------------------------------------------------- writing


class _ParquetSink:
    """One Parquet file written in row groups of exactly ROW_GROUP_ROWS rows (the last one shorter),
    each from contiguous arrays, so the bytes do not depend on how the rows arrived."""

    def __init__(self, path: Path, schema: pa.Schema, row_group_rows: int = ROW_GROUP_ROWS) -> None:
        self.writer = pq.ParquetWriter(path, schema, **PARQUET_OPTIONS)  # type: ignore[arg-type]
        self.schema = schema
        self.row_group_rows = row_group_rows
        self.pending: list[pa.Table] = []
        self.pending_rows = 0
        self.rows = 0

    def write(self, table: pa.Table) -> None:
        self.pending.append(table.select(self.schema.names).cast(self.schema))
        self.pending_rows += table.num_rows
        while self.pending_rows >= self.row_group_rows:
            combined = pa.concat_tables(self.pending)
            self._flush(combined.slice(0, self.row_group_rows))
            rest = combined.slice(self.row_group_rows)
            self.pending, self.pending_rows = [rest], rest.num_rows

    def _flush(self, table: pa.Table) -> None:
        self.writer.write_table(table.combine_chunks(), row_group_size=self.row_group_rows)
        self.rows += table.num_rows

    def close(self) -> None:
        if self.pending_rows or self.rows == 0:
            self._flush(pa.concat_tables(self.pending) if self.pending else self.schema.empty_table())
        self.pending, self.pending_rows = [], 0
        self.writer.close()


def _number(table: pa.Table, column: str, prefix: str, width: int, start: int, url_column: str | None = None) -> pa.Table:
    """Fill an id column with running numbers from ``start`` (and the statement link beside it)."""
    numbers = start + np.arange(table.num_rows)
    padded = _padded(numbers, width)
    table = table.set_column(table.schema.get_field_index(column), column, _join(prefix, padded))
    if url_column:
        url = _join(SYNTHETIC_URL, "/statements/", prefix.lower(), padded)
        table = table.set_column(table.schema.get_field_index(url_column), url_column, url)
    return table


# --------------------------------------------------------------------------- running the blocks


_WORKER_CONTEXT: _Context | None = None


def _init_worker(ctx: _Context) -> None:
    global _WORKER_CONTEXT
    _WORKER_CONTEXT = ctx


def _run_block(block: _Block) -> _BlockOutput:
    if _WORKER_CONTEXT is None:
        raise RuntimeError("worker started without its context")
    return _make_block(_WORKER_CONTEXT, block)


def _blocks_in_order(ctx: _Context, workers: int) -> Iterator[_BlockOutput]:
    """Every block's output, in block order; at most 2 x workers blocks in flight."""
    if workers <= 1:
        for block in ctx.plan.blocks:
            yield _make_block(ctx, block)
        return
    # Fork where there is fork: the workers inherit the imports and the context instead of
    # importing numpy, pyarrow (and through it pandas) again; Arrow's thread pools survive a fork.
    method = "fork" if "fork" in get_all_start_methods() else "spawn"
    with ProcessPoolExecutor(max_workers=workers, mp_context=get_context(method),
                             initializer=_init_worker, initargs=(ctx,)) as pool:
        pending: deque[Future[_BlockOutput]] = deque()
        blocks = iter(ctx.plan.blocks)
        for block in blocks:
            pending.append(pool.submit(_run_block, block))
            if len(pending) >= 2 * workers:
                break
        while pending:
            done = pending.popleft().result()
            block = next(blocks, None)
            if block is not None:
                pending.append(pool.submit(_run_block, block))
            yield done


def _dataset_table(n_claims: int, seed: int) -> pa.Table:
    return pa.table({
        "dataset_id": [f"civcas-scale-{n_claims}"],
        "dataset_name": [f"civcas synthetic scale dataset ({n_claims:,} claims)"],
        "is_synthetic": ["true"],
        "description": [f"{DESCRIPTION} Scaled to {n_claims:,} claims in the demo's shape by civcas generate-scale "
                        f"(seed {seed})."],
        "generated_by": [f"civcas.scale {__version__}"],
        "generator_seed": [str(seed)],
        "source_reference": [f"civcas generate-scale --claims {n_claims} --seed {seed}"],
    })


def _check_out(out: Path) -> None:
    if out.exists():
        if not out.is_dir():
            raise ScaleError(f"{out}: output path exists and is not a folder")
        if any(out.iterdir()) and not (out / MANIFEST_NAME).is_file():
            raise ScaleError(f"{out}: output folder is not empty and holds no {MANIFEST_NAME} "
                             "(not a previous generate-scale); refusing to replace it. Choose an empty or new folder.")


def generate_scale(
    out: Path,
    project_dir: Path,
    n_claims: int,
    *,
    seed: int = DEFAULT_SEED,
    workers: int = 1,
    block_incidents: int = BLOCK_INCIDENTS,
    progress: Progress | None = None,
) -> ScaleResult:
    """Write ``n_claims`` synthetic claims and everything that goes with them as Parquet into ``out``.

    The folder is replaced only when everything is written. ``workers`` processes make blocks in
    parallel; the files do not depend on it.
    """
    if not 200 <= n_claims <= MAX_CLAIMS:
        raise ScaleError(f"--claims must be between 200 and {MAX_CLAIMS:,}: {n_claims:,}")
    if block_incidents < 100:
        raise ScaleError(f"block_incidents must be at least 100: {block_incidents}")
    # Imported here: civcas.archive brings pandas, which the worker processes do not need.
    from civcas.output_folders import folder_mode, swap_into_place

    started = time.perf_counter()
    say = progress or (lambda _message: None)
    out, project_dir = Path(out), Path(project_dir)
    _check_out(out)
    contract = load_raw_contract(project_dir)
    missing = [t for t in contract if t not in GENERATED_TABLES]
    if missing:
        raise ScaleError(f"the scale generator has no data for contract table(s): {', '.join(missing)}")
    ref = load_reference(project_dir)
    world = _World(ref)
    plan = _make_plan(world, n_claims, seed, block_incidents)
    sources, source_table, dirt = _make_sources(ref, plan)
    ctx = _Context(plan=plan, ref=ref, world=world, sources=sources)
    say(f"generate-scale: {n_claims:,} claims in {len(plan.blocks)} block(s) of up to {block_incidents:,} incidents, "
        f"{len(sources.type_index):,} sources, {max(1, workers)} worker(s)")

    out.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{out.name}.generating-", dir=out.parent))
    try:
        staging.chmod(folder_mode())
        schemas = {t: pa.schema([(c, pa.string()) for c in columns]) for t, columns in contract.items()}
        sinks = {t: _ParquetSink(staging / f"{t}.parquet", schema) for t, schema in schemas.items()}
        if "raw_dataset" in sinks:
            sinks["raw_dataset"].write(_dataset_table(n_claims, seed))
        if "raw_sources" in sinks:
            sinks["raw_sources"].write(source_table)
        del source_table  # written; the blocks need only the registry's arrays
        numbering = {
            "raw_incident_assessments": ("assessment_id", "ASM", plan.widths["assessment"], None),
            "raw_belligerent_statements": ("statement_id", "STM", plan.widths["statement"], "statement_url"),
            "raw_declared_strikes": ("strike_release_id", "DS", plan.widths["strike"], None),
        }
        next_number = {t: 1 for t in numbering}
        written_claims, last_report = 0, time.perf_counter()
        for output in _blocks_in_order(ctx, workers):
            for table_name, table in output.tables.items():
                if table_name in numbering:
                    column, prefix, width, url = numbering[table_name]
                    table = _number(table, column, prefix, width, next_number[table_name], url)
                    next_number[table_name] += table.num_rows
                if table_name in sinks:
                    sinks[table_name].write(table)
            for kind, per_table in output.dirt.items():
                for table_name, count in per_table.items():
                    dirt.setdefault(kind, {})[table_name] = dirt.get(kind, {}).get(table_name, 0) + count
            written_claims += output.claims
            now = time.perf_counter()
            if now - last_report >= 2 or written_claims == n_claims:
                elapsed = now - started
                say(f"generate-scale: {written_claims:,} / {n_claims:,} claims ({100 * written_claims / n_claims:.0f}%), "
                    f"{written_claims / max(elapsed, 1e-9):,.0f} claims/s, {elapsed:.1f} s")
                last_report = now
        for sink in sinks.values():
            sink.close()
        rows = {t: sink.rows for t, sink in sinks.items()}
        elapsed = time.perf_counter() - started
        manifest = {
            "dataset_id": f"civcas-scale-{n_claims}",
            "generated_by": f"civcas.scale {__version__}",
            "seed": seed,
            "claims_requested": n_claims,
            "block_incidents": block_incidents,
            "row_group_rows": ROW_GROUP_ROWS,
            "workers": max(1, workers),
            "numpy": np.__version__,
            "pyarrow": pa.__version__,
            "elapsed_seconds": round(elapsed, 3),
            "tables": {t: {"file": f"{t}.parquet", "rows": n} for t, n in rows.items()},
            "dirty_rows": {kind: dict(sorted(per_table.items())) for kind, per_table in sorted(dirt.items())},
        }
        (staging / MANIFEST_NAME).write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")
        swap_into_place(staging, out)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return ScaleResult(out=out, rows=rows, dirty=dirt, elapsed=time.perf_counter() - started)


def default_workers() -> int:
    """Two worker processes where there are at least two cores (the benchmark machine has two)."""
    return min(2, os.cpu_count() or 1)
