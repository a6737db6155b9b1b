{#- How staging sees a raw table, and how it keeps the evidence of each raw row. -#}

{#- The relation holding raw table `name`: the demo seed, or with
    var civcas_raw_source = 'files' the Parquet file of the raw_files source. The models
    never change between datasets. -#}
{% macro raw_relation(name) -%}
    {%- set raw_source = var('civcas_raw_source', 'seeds') -%}
    {%- if raw_source == 'files' -%}
        {{ return(source('raw_files', name)) }}
    {%- elif raw_source == 'seeds' -%}
        {{ return(ref(name)) }}
    {%- else -%}
        {{ exceptions.raise_compiler_error("var civcas_raw_source is '" ~ raw_source ~ "'; use 'seeds' (the demo) or 'files' (imported Parquet files)") }}
    {%- endif -%}
{%- endmacro %}

{#- The whole raw row as JSON text, kept for the quarantine. -#}
{% macro raw_record_json(relation_alias) -%}
    {{ return(adapter.dispatch('raw_record_json', 'civcas')(relation_alias)) }}
{%- endmacro %}

{% macro default__raw_record_json(relation_alias) -%}
    cast(to_json({{ relation_alias }}) as varchar)
{%- endmacro %}

{#- Raw table `name` with the columns that identify each raw row appended: raw_record_hash
    (the row's content hash; exact duplicates share it), raw_copy_number (the row's copy
    number among byte-identical rows), raw_row_key (hash and copy number: unique per raw
    row) and raw_row (the raw columns as one struct, read by raw_records_of only). A staging model reads it as its source and selects raw_row_identity_columns('source')
    first:

        source as (select * from {{ raw_rows('raw_claims') }}),

    The hash is DuckDB's 64-bit hash of the whole row: cheap, and the row is never turned into
    text. Only the rows whose hash repeats (exact copies, or in theory two different rows that
    collide) take the exact path: their hash is the md5 of the row as JSON and copies are
    numbered by it, so two different rows never share a hash or a key. The JSON of a row is
    built again only where it is kept: for quarantined rows (raw_records_of below). -#}
{% macro raw_rows(name) -%}
    {{ return(adapter.dispatch('raw_rows', 'civcas')(name)) }}
{%- endmacro %}

{% macro default__raw_rows(name) -%}
    {#- Subqueries, not CTEs: a view does not keep `not materialized`, and DuckDB would
        buffer a CTE that is read twice. -#}
    {%- set repeated_hashes -%}
        select hash(hashed_rows) as row_hash
        from (select * from {{ raw_relation(name) }}) as hashed_rows
        group by hash(hashed_rows)
        having count(*) > 1
    {%- endset -%}
    (
        select
            single_rows.*,
            single_rows as raw_row,
            cast(hash(single_rows) as varchar) as raw_record_hash,
            1 as raw_copy_number,
            cast(hash(single_rows) as varchar) || '-1' as raw_row_key
        from (select * from {{ raw_relation(name) }}) as single_rows
        where hash(single_rows) not in ({{ repeated_hashes }})
        union all
        select
            repeated_rows.* exclude (raw_record_json),
            md5(repeated_rows.raw_record_json) as raw_record_hash,
            row_number() over (partition by repeated_rows.raw_record_json) as raw_copy_number,
            md5(repeated_rows.raw_record_json) || '-'
            || cast(row_number() over (partition by repeated_rows.raw_record_json) as varchar) as raw_row_key
        from (
            select
                raw_table_rows.*,
                raw_table_rows as raw_row,
                {{ raw_record_json('raw_table_rows') }} as raw_record_json
            from (select * from {{ raw_relation(name) }}) as raw_table_rows
            where hash(raw_table_rows) in ({{ repeated_hashes }})
        ) as repeated_rows
    ) as identified_raw_rows
{%- endmacro %}

{#- One row per raw row of table `name` whose raw_row_key `row_keys` (a query of keys) lists:
    raw_row_key and raw_record, the whole raw row as JSON text, kept as evidence. Only these
    rows are turned into text. -#}
{% macro raw_records_of(name, row_keys) -%}
    {{ return(adapter.dispatch('raw_records_of', 'civcas')(name, row_keys)) }}
{%- endmacro %}

{% macro default__raw_records_of(name, row_keys) -%}
    select
        identified_raw_rows.raw_row_key,
        {{ raw_record_json('identified_raw_rows.raw_row') }} as raw_record
    from {{ raw_rows(name) }}
    where identified_raw_rows.raw_row_key in ({{ row_keys }})
{%- endmacro %}

{#- The identifying columns of raw_rows(), first in every staging model. -#}
{% macro raw_row_identity_columns(relation_alias) -%}
    {{ relation_alias }}.raw_record_hash,
    {{ relation_alias }}.raw_copy_number,
    {{ relation_alias }}.raw_row_key
{%- endmacro %}
