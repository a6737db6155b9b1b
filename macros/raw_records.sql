{#- How staging sees a raw table, and how it keeps the evidence of each raw row. -#}

{#- The relation holding raw table `name`: the demo seed, or with
    var civcas_raw_source = 'files' the Parquet file of the raw_files source. The models
    never change between datasets. -#}
{% macro raw_relation(name) -%}
    {%- set raw_source = var('civcas_raw_source', 'seeds') -%}
    {%- if raw_source == 'files' -%}
        {{ return(raw_files_relation(name)) }}
    {%- elif raw_source == 'seeds' -%}
        {{ return(ref(name)) }}
    {%- else -%}
        {{ exceptions.raise_compiler_error("var civcas_raw_source is '" ~ raw_source ~ "'; use 'seeds' (the demo) or 'files' (imported Parquet files)") }}
    {%- endif -%}
{%- endmacro %}

{#- The raw_files source's table `name`: on DuckDB its Parquet files (the source's
    external_location). -#}
{% macro raw_files_relation(name) -%}
    {{ return(adapter.dispatch('raw_files_relation', 'civcas')(name)) }}
{%- endmacro %}

{% macro default__raw_files_relation(name) -%}
    {{ return(source('raw_files', name)) }}
{%- endmacro %}

{#- The whole raw row as JSON text, kept for the quarantine. -#}
{% macro raw_record_json(relation_alias) -%}
    {{ return(adapter.dispatch('raw_record_json', 'civcas')(relation_alias)) }}
{%- endmacro %}

{% macro default__raw_record_json(relation_alias) -%}
    cast(to_json({{ relation_alias }}) as varchar)
{%- endmacro %}

{#- Raw table `name` as read, with raw_file: the name of the file each row came from. In files
    mode, `files` (a list of file names in civcas_raw_path) reads only those files, for an
    incremental refresh (raw_files_to_stage); none reads every file of the table,
    <table>.*parquet, as the raw_files source does. A demo seed is one file, <table>.csv. -#}
{% macro raw_table_read(name, files=none) -%}
    {{ return(adapter.dispatch('raw_table_read', 'civcas')(name, files)) }}
{%- endmacro %}

{% macro default__raw_table_read(name, files=none) -%}
    {%- if var('civcas_raw_source', 'seeds') == 'files' -%}
        {#- read here with the file name, which the source cannot add; called for the lineage -#}
        {%- do source('raw_files', name) -%}
        {%- set folder = var('civcas_raw_path', 'data/archive/raw') -%}
        {%- if files is none -%}
            {%- set paths = "'" ~ folder ~ "/" ~ name ~ ".*parquet'" -%}
        {%- else -%}
            {%- set quoted = [] -%}
            {%- for file in files -%}
                {%- do quoted.append("'" ~ folder ~ "/" ~ file ~ "'") -%}
            {%- endfor -%}
            {%- set paths = '[' ~ (quoted | join(', ')) ~ ']' -%}
        {%- endif -%}
        {%- if files is not none and files | length == 0 -%}
        (select * from read_parquet('{{ folder }}/{{ name }}.*parquet', filename = 'raw_file') limit 0)
        {%- else -%}
        (select * replace (parse_filename(raw_file) as raw_file) from read_parquet({{ paths }}, filename = 'raw_file'))
        {%- endif -%}
    {%- else -%}
        (select *, '{{ name }}.csv' as raw_file from {{ raw_relation(name) }})
    {%- endif -%}
{%- endmacro %}

{#- Raw table `name` (or its `files`, raw_table_read) with the columns that identify each raw row
    appended: raw_file, raw_row (the raw columns as one struct),
    raw_row_hash (its 64-bit hash), raw_record_hash (the row's content hash; exact duplicates
    share it), raw_copy_number (the row's copy number among byte-identical rows) and
    raw_row_key (hash and copy number: unique per raw row). A staging model reads it as its
    source and selects raw_row_identity_columns('source') first:

        source as (select * from {{ raw_rows('raw_claims') }}),

    The hash is DuckDB's 64-bit hash of the raw columns: cheap, and the row is never turned into
    text. Only the rows whose hash repeats (exact copies, or in theory two different rows that
    collide) take the exact path: their hash is the md5 of the row as JSON and copies are
    numbered by it, so two different rows never share a hash or a key. The JSON of a row is
    built again only where it is kept: for quarantined rows (raw_records_of below). The file
    name is not part of the row: a row copied into another file is the same raw row. -#}
{% macro raw_rows(name, files=none) -%}
    {{ return(adapter.dispatch('raw_rows', 'civcas')(name, files)) }}
{%- endmacro %}

{% macro default__raw_rows(name, files=none) -%}
    {#- Subqueries, not CTEs: a view does not keep `not materialized`, and DuckDB would
        buffer a CTE that is read twice. -#}
    {#- every column but the file name: the row as recorded -#}
    {%- set raw_row = 'struct_pack(*columns(* exclude (raw_file)))' -%}
    {%- set hashed -%}
        (
            select
                raw_table.*,
                {{ raw_row }} as raw_row,
                hash({{ raw_row }}) as raw_row_hash
            from {{ raw_table_read(name, files) }} as raw_table
        )
    {%- endset -%}
    {%- set repeated_hashes -%}
        select hashed_rows.raw_row_hash
        from {{ hashed }} as hashed_rows
        group by hashed_rows.raw_row_hash
        having count(*) > 1
    {%- endset -%}
    (
        select
            single_rows.*,
            cast(single_rows.raw_row_hash as varchar) as raw_record_hash,
            1 as raw_copy_number,
            cast(single_rows.raw_row_hash as varchar) || '-1' as raw_row_key
        from {{ hashed }} as single_rows
        where single_rows.raw_row_hash not in ({{ repeated_hashes }})
        union all
        select
            repeated_rows.* exclude (raw_record_json),
            md5(repeated_rows.raw_record_json) as raw_record_hash,
            row_number() over (
                partition by repeated_rows.raw_record_json order by repeated_rows.raw_file
            ) as raw_copy_number,
            md5(repeated_rows.raw_record_json) || '-'
            || cast(row_number() over (
                partition by repeated_rows.raw_record_json order by repeated_rows.raw_file
            ) as varchar) as raw_row_key
        from (
            select
                hashed_rows.*,
                {{ raw_record_json('hashed_rows.raw_row') }} as raw_record_json
            from {{ hashed }} as hashed_rows
            where hashed_rows.raw_row_hash in ({{ repeated_hashes }})
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
