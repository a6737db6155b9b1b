{#- PostgreSQL versions of macros/raw_records.sql. A raw row is the array of its raw columns'
    texts, in the contract's order (seeds/raw/_raw__seeds.yml, which the raw_columns_match_contract
    test holds the tables to); its hash and its JSON text are DuckDB's, computed by the PL/Python
    functions civcas_duckdb_row_hash and civcas_duckdb_row_json (civcas/duckdb_hash.py), so
    raw_row_hash, raw_row_key and raw_record are the same on every engine. -#}

{#- The raw columns of table `name`, in order: the seed's (demo) or the raw_files source's. -#}
{% macro postgres_raw_columns(name) -%}
    {%- if not execute -%}
        {{ return(['raw_column']) }}
    {%- endif -%}
    {%- set nodes = (graph.nodes.values() | selectattr('resource_type', 'equalto', 'seed') | selectattr('name', 'equalto', name) | list)
        or (graph.sources.values() | selectattr('source_name', 'equalto', 'raw_files') | selectattr('name', 'equalto', name) | list) -%}
    {%- if not nodes -%}
        {{ exceptions.raise_compiler_error("raw table " ~ name ~ " is in neither seeds/raw/_raw__seeds.yml nor the raw_files source") }}
    {%- endif -%}
    {{ return(nodes[0].columns.keys() | list) }}
{%- endmacro %}

{% macro postgres_raw_row(name, relation_alias) -%}
    array[
        {%- for column in postgres_raw_columns(name) %}cast({{ relation_alias }}.{{ adapter.quote(column) }} as text){% if not loop.last %}, {% endif %}{% endfor -%}
    ]
{%- endmacro %}

{% macro postgres__raw_record_json(relation_alias) -%}
    {{ exceptions.raise_compiler_error("raw_record_json: on PostgreSQL a raw row's JSON needs its table's column names; raw_rows and raw_records_of write it (civcas_duckdb_row_json)") }}
{%- endmacro %}

{#- Files mode: postgres-load-raw keeps every row with its file's name in raw_files.<table>_by_file. -#}
{% macro postgres__raw_table_read(name, files=none) -%}
    {%- if var('civcas_raw_source', 'seeds') == 'files' -%}
        {%- set relation = source('raw_files', name) -%}
        {%- set by_file = relation.incorporate(path={'identifier': name ~ '_by_file'}) -%}
        {%- if files is none -%}
        (select * from {{ by_file }})
        {%- elif files | length == 0 -%}
        (select * from {{ by_file }} limit 0)
        {%- else -%}
        (select * from {{ by_file }} where raw_file in ({% for file in files %}'{{ file }}'{% if not loop.last %}, {% endif %}{% endfor %}))
        {%- endif -%}
    {%- else -%}
        (select *, '{{ name }}.csv' as raw_file from {{ raw_relation(name) }})
    {%- endif -%}
{%- endmacro %}

{% macro postgres__raw_rows(name, files=none) -%}
    {%- set columns = postgres_raw_columns(name) -%}
    {%- set names -%}
        array[{% for column in columns %}'{{ column }}'{% if not loop.last %}, {% endif %}{% endfor %}]
    {%- endset -%}
    {%- set hashed -%}
        (
            select
                raw_table.*,
                {{ postgres_raw_row(name, 'raw_table') }} as raw_row,
                civcas_duckdb_row_hash({{ postgres_raw_row(name, 'raw_table') }}) as raw_row_hash
            from {{ raw_table_read(name, files) }} as raw_table
        )
    {%- endset -%}
    {%- set repeated_hashes -%}
        select hashed_rows.raw_row_hash
        from {{ hashed }} as hashed_rows
        group by hashed_rows.raw_row_hash
        having count(*) > 1
    {%- endset -%}
    {%- set kept -%}
        {% for column in columns %}repeated_rows.{{ adapter.quote(column) }}, {% endfor %}repeated_rows.raw_file, repeated_rows.raw_row, repeated_rows.raw_row_hash
    {%- endset -%}
    (
        select
            single_rows.*,
            cast(single_rows.raw_row_hash as varchar) as raw_record_hash,
            1 as raw_copy_number,
            cast(single_rows.raw_row_hash as varchar) || '-1' as raw_row_key
        from {{ hashed }} as single_rows
        -- not exists, not `not in`: PostgreSQL plans `not in` as a list scanned per row once the
        -- repeated hashes outgrow work_mem (quadratic at 1M claims); not exists is a hashed anti-join
        where not exists (
            select 1
            from ({{ repeated_hashes }}) as repeated
            where repeated.raw_row_hash = single_rows.raw_row_hash
        )
        union all
        select
            {{ kept }},
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
                civcas_duckdb_row_json({{ names }}, hashed_rows.raw_row) as raw_record_json
            from {{ hashed }} as hashed_rows
            where hashed_rows.raw_row_hash in ({{ repeated_hashes }})
        ) as repeated_rows
    ) as identified_raw_rows
{%- endmacro %}

{% macro postgres__raw_records_of(name, row_keys) -%}
    {%- set columns = postgres_raw_columns(name) -%}
    select
        identified_raw_rows.raw_row_key,
        civcas_duckdb_row_json(
            array[{% for column in columns %}'{{ column }}'{% if not loop.last %}, {% endif %}{% endfor %}],
            identified_raw_rows.raw_row
        ) as raw_record
    from {{ raw_rows(name) }}
    where identified_raw_rows.raw_row_key in ({{ row_keys }})
{%- endmacro %}
