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

{#- Raw table `name` with the columns that identify each raw row appended: raw_record (the
    whole row as JSON text, kept for the quarantine), raw_record_hash (an md5 of it; exact
    duplicates share it), raw_copy_number (the row's copy number among byte-identical rows)
    and raw_row_key (hash and copy number: unique per raw row). A staging model reads it as
    its source and selects raw_row_identity_columns('source') first:

        source as (select * from {{ raw_rows('raw_claims') }}),

    Each row's JSON and md5 are computed once, and copies are numbered without a window
    over the whole table (which would buffer and sort every row with its JSON): rows whose
    content hash repeats are found first with a cheap 64-bit hash of the row, and only they
    are numbered. Every row is streamed, so memory does not grow with the table. -#}
{% macro raw_rows(name) -%}
    {{ return(adapter.dispatch('raw_rows', 'civcas')(name)) }}
{%- endmacro %}

{% macro default__raw_rows(name) -%}
    {#- Subqueries, not CTEs: a view does not keep `not materialized`, and DuckDB would
        buffer a CTE that is read twice, every row with its JSON. -#}
    {%- set recorded -%}
        select
            raw_table_rows.*,
            {{ raw_record_json('raw_table_rows') }} as raw_record,
            repeated_row_hashes.row_hash is not null as is_repeated_row
        from (select * from {{ raw_relation(name) }}) as raw_table_rows
        left join (
            -- Byte-identical rows share a hash; a rare collision of two different rows
            -- only sends them down the numbering path too.
            select hash(hashed_rows) as row_hash
            from (select * from {{ raw_relation(name) }}) as hashed_rows
            group by hash(hashed_rows)
            having count(*) > 1
        ) as repeated_row_hashes
            on hash(raw_table_rows) = repeated_row_hashes.row_hash
    {%- endset -%}
    (
        select
            numbered.* exclude (is_repeated_row),
            numbered.raw_record_hash || '-' || cast(numbered.raw_copy_number as varchar) as raw_row_key
        from (
            select
                single_rows.*,
                md5(single_rows.raw_record) as raw_record_hash,
                1 as raw_copy_number
            from ({{ recorded }}) as single_rows
            where not single_rows.is_repeated_row
            union all
            select
                repeated_rows.*,
                md5(repeated_rows.raw_record) as raw_record_hash,
                row_number() over (partition by md5(repeated_rows.raw_record)) as raw_copy_number
            from ({{ recorded }}) as repeated_rows
            where repeated_rows.is_repeated_row
        ) as numbered
    ) as identified_raw_rows
{%- endmacro %}

{#- The identifying columns of raw_rows(), first in every staging model. -#}
{% macro raw_row_identity_columns(relation_alias) -%}
    {{ relation_alias }}.raw_record,
    {{ relation_alias }}.raw_record_hash,
    {{ relation_alias }}.raw_copy_number,
    {{ relation_alias }}.raw_row_key
{%- endmacro %}
