-- Nothing is lost: for every raw table, rows in = rows clean + rows quarantined, where
-- "clean" is counted where the rows land (the marts), not where they were judged.
with

counts as (

    {%- set tables = [
        ('raw_claims', 'fct_claims', none),
        ('raw_sources', 'dim_sources', none),
        ('raw_incidents', 'fct_incidents', none),
        ('raw_incident_assessments', 'fct_incident_assessments', none),
        ('raw_belligerent_statements', 'fct_belligerent_statements', none),
        ('raw_declared_strikes', 'fct_declared_strikes', none),
        ('raw_incident_belligerents', 'int_incident_belligerents_validated', 'not is_quarantined'),
    ] %}
    {%- for raw_table, clean_model, clean_filter in tables %}
        select
            '{{ raw_table }}' as raw_table,
            (select count(*) from {{ raw_relation(raw_table) }}) as raw_rows,
            (
                select count(*) from {{ ref(clean_model) }}
                {%- if clean_filter %} where {{ clean_filter }}{% endif %}
            ) as clean_rows,
            (
                select count(*) from {{ ref('fct_quarantined_rows') }}
                where raw_table = '{{ raw_table }}'
            ) as quarantined_rows
        union all
    {%- endfor %}
    select
        'raw_dataset' as raw_table,
        (select count(*) from {{ raw_relation('raw_dataset') }}) as raw_rows,
        (select count(*) from {{ ref('dim_datasets') }}) as clean_rows,
        0 as quarantined_rows
    union all
    -- the ledger is written by civcas intake, never quarantined: a hand copy counts once, and
    -- in a build as of var civcas_as_of a batch accepted later counts apart (macros/as_of.sql)
    select
        'raw_intake_batches' as raw_table,
        (select count(*) from {{ raw_relation('raw_intake_batches') }}) as raw_rows,
        (select count(*) from {{ ref('fct_intake_batches') }}) as clean_rows,
        (
            select count(*) from {{ ref('stg_monitor__intake_batches') }} as ledger
            where
                ledger.raw_copy_number > 1
                or {{ is_known_after_as_of(known_on('raw_intake_batches', 'ledger')) }}
        ) as quarantined_rows

)

select *
from counts
where raw_rows <> clean_rows + quarantined_rows
