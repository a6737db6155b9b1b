"""Grouping claims into candidate incidents: connected components over matched pairs.

The pairs come from dbt (int_claim_pairs_matched), which applies the linking rules
without an all-pairs join. Here a union-find joins them into groups in near-linear time.
A group's id is derived from its content, its first claim (earliest date, then claim id),
so adding an unrelated claim never renumbers other groups.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping


def group_claims(
    claim_order: Mapping[str, tuple[str, str]],
    pairs: Iterable[tuple[str, str]],
    prefix: str = "CAND-",
) -> dict[str, str]:
    """Map every claim to its candidate incident id.

    claim_order: claim_id -> sort key (incident date as ISO text, claim id); every claim
    to group must be here, paired or not. pairs: claims that belong together.
    """
    parent = {claim: claim for claim in claim_order}

    def find(claim: str) -> str:
        root = claim
        while parent[root] != root:
            root = parent[root]
        while parent[claim] != root:  # path compression
            parent[claim], claim = root, parent[claim]
        return root

    for left, right in pairs:
        if left not in parent or right not in parent:
            raise KeyError(f"pair ({left}, {right}) names a claim that is not in claim_order")
        root_left, root_right = find(left), find(right)
        if root_left != root_right:
            # the root is always the group's first claim, so ids follow from content
            if claim_order[root_left] <= claim_order[root_right]:
                parent[root_right] = root_left
            else:
                parent[root_left] = root_right
    return {claim: prefix + find(claim) for claim in claim_order}
