-- Every string that identifies a protected source or leads to it: the names, handles and
-- links of protected sources, and the report and archive links of the claims they made,
-- quarantined rows included. Tests and the release command scan the analysts' database
-- and every release for these values; none may appear outside the `restricted` schema.
-- Each value is taken as cleaned by staging and as written in the raw row (trimmed), since
-- either form may travel, and a value of several words also with some or all of its spaces
-- removed (in the normal form, macro match_normal_form), since an invisible character may stand
-- where any space was ("Jane<zero-width space>Doe", "Jane Mary<zero-width space>Doe"; macro
-- gap_removal_masks), and a handle that is not a plain word also without its '@'; empty
-- strings are skipped. Source ids are compared in the
-- normal form too, so a row or claim citing ' src0155 ' belongs to source SRC0155.
{%- set source_fields = [
    ('source_name', 1),
    ('source_handle', 2),
    ('source_url', 3),
] %}
{%- set claim_fields = [
    ('report_url', 5),
    ('archive_url', 6),
] %}

with

sources as (

    select * from {{ ref('int_sources_validated') }}

),

claims as (

    select * from {{ ref('int_claims_validated') }}

),

protected_sources as (

    -- A source id is protected when any of its raw rows says so: when in doubt, an
    -- identity stays internal.
    select distinct {{ source_id_match_key('source_id') }} as source_key
    from sources
    where is_protected and source_id is not null

),

protected_source_rows as (

    -- every raw row of a protected source, clean or quarantined
    select sources.*
    from sources
    left join protected_sources
        on {{ source_id_match_key('sources.source_id') }} = protected_sources.source_key
    where sources.is_protected or protected_sources.source_key is not null

),

protected_claim_rows as (

    -- every raw claim whose source is known and protected, clean or quarantined
    select claims.*
    from claims
    inner join protected_sources
        on {{ source_id_match_key('claims.source_id') }} = protected_sources.source_key

),

protected_raw_claims as (

    -- the same claims as written in raw claims: only the links, and only these rows
    select
        {{ clean_text('raw_claims.source_id') }} as source_id,
        raw_claims.report_url,
        raw_claims.archive_url
    from {{ raw_relation('raw_claims') }} as raw_claims
    inner join protected_sources
        on {{ source_id_match_key('raw_claims.source_id') }} = protected_sources.source_key

),

public_source_keys as (

    -- an outlet's canonical key that a public source also carries is the outlet's
    -- public name, not a protected identity
    select distinct sources.canonical_source_key
    from sources
    left join protected_sources
        on {{ source_id_match_key('sources.source_id') }} = protected_sources.source_key
    where not sources.is_protected and protected_sources.source_key is null

),

candidate_values as (

    {%- for field, priority in source_fields %}
        select
            source_id,
            '{{ field }}' as value_kind,
            {{ priority }} as kind_priority,
            {{ field }} as protected_value
        from protected_source_rows
        union all
        select
            source_id,
            '{{ field }}' as value_kind,
            {{ priority }} as kind_priority,
            {{ trim_text(field ~ '_raw') }} as protected_value
        from protected_source_rows
        union all
    {%- endfor %}
    select
        protected_source_rows.source_id,
        'canonical_source_key' as value_kind,
        4 as kind_priority,
        protected_source_rows.canonical_source_key as protected_value
    from protected_source_rows
    left join public_source_keys
        on protected_source_rows.canonical_source_key = public_source_keys.canonical_source_key
    where public_source_keys.canonical_source_key is null
    {%- for field, priority in claim_fields %}
        union all
        select
            source_id,
            '{{ field }}' as value_kind,
            {{ priority }} as kind_priority,
            {{ field }} as protected_value
        from protected_claim_rows
        union all
        select
            source_id,
            '{{ field }}' as value_kind,
            {{ priority }} as kind_priority,
            {{ trim_text(field) }} as protected_value
        from protected_raw_claims
    {%- endfor %}

),

bare_handles as (

    -- a handle also travels without its '@' (t.me/<handle>, x.com/<handle>). Only a handle
    -- that is not a plain word (it holds a digit, '_' or '.') is listed bare: '@ali' bare
    -- would be every Ali in the data.
    select
        source_id,
        value_kind,
        kind_priority,
        {{ trim_leading('protected_value', "'@'") }} as protected_value
    from candidate_values
    where
        value_kind = 'source_handle'
        and left(protected_value, 1) = '@'
        and {{ text_matches(trim_leading('protected_value', "'@'"), "'[0-9_.]'") }}

),

spaced_words as (

    -- the values of several words, as their words in the normal form
    select
        source_id,
        value_kind,
        kind_priority,
        {{ split_text(match_normal_form('protected_value'), "' '") }} as words
    from candidate_values
    where {{ text_contains(match_normal_form('protected_value'), "' '") }}

),

spaced_values as (

    -- one row per choice of spaces to remove (macro gap_removal_masks)
    select
        source_id,
        value_kind,
        kind_priority,
        words,
        {{ list_rows(gap_removal_masks(list_length('words'))) }} as gap_mask
    from spaced_words

),

spelled_values as (

    select
        source_id,
        value_kind,
        kind_priority,
        protected_value
    from candidate_values
    union all
    select
        source_id,
        value_kind,
        kind_priority,
        protected_value
    from bare_handles
    union all
    -- a value of several words, also with some or all of its spaces removed (macro
    -- gap_removal_masks)
    select
        source_id,
        value_kind,
        kind_priority,
        {{ words_joined_with_gaps_removed('words', 'gap_mask') }} as protected_value
    from spaced_values

),

ranked as (

    -- one row per value: the most telling kind (a name before a link), then the
    -- lowest source id, when a value belongs to several
    select
        protected_value,
        value_kind,
        source_id,
        row_number() over (
            partition by protected_value
            order by kind_priority, source_id nulls last
        ) as value_rank
    from spelled_values
    where protected_value is not null and protected_value <> ''

),

final as (

    select
        protected_value,
        value_kind,
        source_id
    from ranked
    where value_rank = 1

)

select * from final
order by protected_value
