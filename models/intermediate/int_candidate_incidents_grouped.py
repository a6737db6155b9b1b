"""Candidate incidents: the claims no incident took, grouped by the connected components
of int_claim_pairs_matched (union-find in civcas.linking). A group's id comes from its
first claim (earliest date, then claim id), so ids are stable across rebuilds and an
unrelated new claim never renumbers other groups. Grain: one row per unmatched claim."""

import pandas as pd

from civcas.linking import group_claims


def model(dbt, session):
    dbt.config(materialized="table")
    unmatched = dbt.ref("int_claims_linked").filter("link_rule = 'unmatched'").df()
    claims = dbt.ref("int_claims_validated").filter("not is_quarantined").df()
    pairs = dbt.ref("int_claim_pairs_matched").df()

    claims = claims[claims.claim_id.isin(unmatched.claim_id)]
    order = {
        claim: (str(date), claim)
        for claim, date in zip(claims.claim_id, claims.incident_date)
    }
    groups = group_claims(order, zip(pairs.left_claim_id, pairs.right_claim_id))
    # explicit dtypes: with no unmatched claims (e.g. a fully assessed archive) the frame is
    # empty, and untyped empty columns would not be text
    grouped = pd.DataFrame({
        "claim_id": pd.Series(list(groups.keys()), dtype="string"),
        "candidate_incident_id": pd.Series(list(groups.values()), dtype="string"),
    })
    grouped["candidate_claim_count"] = (
        grouped.groupby("candidate_incident_id").claim_id.transform("size").astype("int64")
    )
    return grouped.sort_values(["candidate_incident_id", "claim_id"]).reset_index(drop=True)
