"""Candidate-incident grouping: components, ids from content, stability."""

from __future__ import annotations

import random

from civcas.linking import group_claims


def _order(claims: dict[str, str]) -> dict[str, tuple[str, str]]:
    return {claim: (date, claim) for claim, date in claims.items()}


def test_pairs_join_into_components_named_by_their_first_claim():
    claims = _order({"c3": "2017-03-02", "c1": "2017-03-03", "c2": "2017-03-01", "c9": "2017-05-01"})
    groups = group_claims(claims, [("c1", "c3"), ("c3", "c2")])
    assert groups == {"c1": "CAND-c2", "c2": "CAND-c2", "c3": "CAND-c2", "c9": "CAND-c9"}


def test_an_unrelated_claim_does_not_renumber_other_groups():
    claims = {f"c{i}": f"2017-03-{i % 28 + 1:02d}" for i in range(40)}
    pairs = [(f"c{i}", f"c{i + 1}") for i in range(0, 38, 3)]
    before = group_claims(_order(claims), pairs)
    claims_plus = dict(claims, c_new="2017-01-01")
    after = group_claims(_order(claims_plus), pairs)
    assert {claim: after[claim] for claim in claims} == before
    assert after["c_new"] == "CAND-c_new"


def test_groups_equal_connected_components_on_random_graphs():
    rng = random.Random(7)
    for _ in range(50):
        claims = {f"c{i:02d}": f"2017-0{rng.randint(1, 9)}-1{rng.randint(0, 9)}" for i in range(rng.randint(1, 30))}
        names = sorted(claims)
        pairs = [(rng.choice(names), rng.choice(names)) for _ in range(rng.randint(0, 25))]
        groups = group_claims(_order(claims), pairs)
        # brute force: grow each component by repeated sweeps
        component = {claim: {claim} for claim in names}
        changed = True
        while changed:
            changed = False
            for left, right in pairs:
                merged = component[left] | component[right]
                if merged != component[left] or merged != component[right]:
                    for claim in merged:
                        component[claim] = merged
                    changed = True
        for claim in names:
            first = min(component[claim], key=lambda c: (claims[c], c))
            assert groups[claim] == "CAND-" + first
