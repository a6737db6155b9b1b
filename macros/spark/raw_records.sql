{#- Spark versions of macros/raw_records.sql. The raw row's hash is DuckDB's hash() of the
    struct of its columns, computed by civcas_duckdb_row_hash (civcas.duckdb_hash, registered
    by civcas spark-dbt), so raw_row_hash and raw_row_key are the same on every engine. -#}

{#- DuckDB's to_json text of the raw row (civcas.duckdb_hash): md5 of it keys repeated rows. -#}
{% macro spark__raw_record_json(relation_alias) -%}
    civcas_duckdb_row_json({{ relation_alias }})
{%- endmacro %}

{#- In files mode the Parquet files are read directly (parquet.`<glob>`), with each row's
    file name from the file source's _metadata column. -#}
{% macro spark__raw_table_read(name, files=none) -%}
    {%- if var('civcas_raw_source', 'seeds') == 'files' -%}
        {%- do source('raw_files', name) -%}
        {%- set folder = var('civcas_raw_path', 'data/archive/raw') -%}
        {%- if files is none -%}
            {%- set paths = [name ~ '.*parquet'] -%}
        {%- else -%}
            {%- set paths = files -%}
        {%- endif -%}
        {%- if paths | length == 0 -%}
        (select raw_file_rows.*, raw_file_rows._metadata.file_name as raw_file from parquet.`{{ folder }}/{{ name }}.*parquet` as raw_file_rows limit 0)
        {%- else -%}
        (
            {%- for path in paths %}
            select raw_file_rows.*, raw_file_rows._metadata.file_name as raw_file
            from parquet.`{{ folder }}/{{ path }}` as raw_file_rows
            {%- if not loop.last %}
            union all
            {%- endif %}
            {%- endfor %}
        )
        {%- endif -%}
    {%- else -%}
        (select *, '{{ name }}.csv' as raw_file from {{ raw_relation(name) }})
    {%- endif -%}
{%- endmacro %}

{% macro spark__raw_rows(name, files=none) -%}
    {%- set hashed -%}
        (
            select
                hashed_table.*,
                civcas_duckdb_row_hash(hashed_table.raw_row) as raw_row_hash
            from (
                select
                    raw_table.*,
                    struct(raw_table.* except (raw_file)) as raw_row
                from {{ raw_table_read(name, files) }} as raw_table
            ) as hashed_table
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
            cast(single_rows.raw_row_hash as string) as raw_record_hash,
            1 as raw_copy_number,
            cast(single_rows.raw_row_hash as string) || '-1' as raw_row_key
        from {{ hashed }} as single_rows
        where single_rows.raw_row_hash not in ({{ repeated_hashes }})
        union all
        select
            repeated_rows.* except (raw_record_json),
            md5(repeated_rows.raw_record_json) as raw_record_hash,
            row_number() over (
                partition by repeated_rows.raw_record_json order by repeated_rows.raw_file
            ) as raw_copy_number,
            md5(repeated_rows.raw_record_json) || '-'
            || cast(row_number() over (
                partition by repeated_rows.raw_record_json order by repeated_rows.raw_file
            ) as string) as raw_row_key
        from (
            select
                hashed_rows.*,
                {{ raw_record_json('hashed_rows.raw_row') }} as raw_record_json
            from {{ hashed }} as hashed_rows
            where hashed_rows.raw_row_hash in ({{ repeated_hashes }})
        ) as repeated_rows
    ) as identified_raw_rows
{%- endmacro %}

{#- Spark reads the source's Parquet files directly, as parquet.`<folder>/<table>.*parquet`
    (the source itself stays for the lineage). -#}
{% macro spark__raw_files_relation(name) -%}
    {%- do source('raw_files', name) -%}
    {{ return(api.Relation.create(
        schema='parquet',
        identifier=var('civcas_raw_path', 'data/archive/raw') ~ '/' ~ name ~ '.*parquet',
        quote_policy={'schema': false, 'identifier': true})) }}
{%- endmacro %}
