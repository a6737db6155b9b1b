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

{#- Staging columns that identify a raw row: a hash of its content, its copy number
    among byte-identical rows (exact duplicates share a hash), and the two together as a
    key that is unique per raw row. -#}
{% macro raw_row_identity(relation_alias) -%}
    {{ raw_record_json(relation_alias) }} as raw_record,
    md5({{ raw_record_json(relation_alias) }}) as raw_record_hash,
    row_number() over (
        partition by md5({{ raw_record_json(relation_alias) }})
        order by md5({{ raw_record_json(relation_alias) }})
    ) as raw_copy_number,
    md5({{ raw_record_json(relation_alias) }}) || '-' || cast(row_number() over (
        partition by md5({{ raw_record_json(relation_alias) }})
        order by md5({{ raw_record_json(relation_alias) }})
    ) as varchar) as raw_row_key
{%- endmacro %}
