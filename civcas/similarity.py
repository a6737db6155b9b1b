"""Jaro-Winkler similarity exactly as DuckDB's ``jaro_winkler_similarity`` computes it.

The linking comparison of place spellings (macro ``name_similarity``) uses DuckDB's
built-in function. PostgreSQL and Spark have none, so the project gives them this one (a
PL/Python function on PostgreSQL, a Python UDF on Spark): the same rule, not a look-alike.
DuckDB compares UTF-8 bytes, not characters, and scores two empty strings 0; so does this.
``tests/python/test_similarity.py`` checks it against DuckDB on many pairs.
"""

from __future__ import annotations

PREFIX_WEIGHT = 0.1
PREFIX_LIMIT = 4
BOOST_THRESHOLD = 0.7


def jaro_similarity(left: bytes, right: bytes) -> float:
    """Jaro similarity of two byte strings: 0 when either is empty."""
    if not left or not right:
        return 0.0
    window = max(max(len(left), len(right)) // 2 - 1, 0)
    right_taken = [False] * len(right)
    left_matches: list[int] = []
    for i, byte in enumerate(left):
        for j in range(max(0, i - window), min(len(right), i + window + 1)):
            if not right_taken[j] and right[j] == byte:
                right_taken[j] = True
                left_matches.append(byte)
                break
    matches = len(left_matches)
    if matches == 0:
        return 0.0
    right_matches = [right[j] for j, taken in enumerate(right_taken) if taken]
    transpositions = sum(a != b for a, b in zip(left_matches, right_matches, strict=True)) // 2
    return (matches / len(left) + matches / len(right) + (matches - transpositions) / matches) / 3


def jaro_winkler_similarity(left: str | None, right: str | None) -> float | None:
    """DuckDB's jaro_winkler_similarity(left, right); None when either is None."""
    if left is None or right is None:
        return None
    left_bytes, right_bytes = left.encode("utf-8"), right.encode("utf-8")
    similarity = jaro_similarity(left_bytes, right_bytes)
    if similarity > BOOST_THRESHOLD:
        prefix = 0
        for a, b in zip(left_bytes[:PREFIX_LIMIT], right_bytes[:PREFIX_LIMIT], strict=False):
            if a != b:
                break
            prefix += 1
        similarity += prefix * PREFIX_WEIGHT * (1.0 - similarity)
    return similarity
