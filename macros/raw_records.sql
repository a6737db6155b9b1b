{#- How staging sees a raw table, and how it keeps the evidence of each raw row. -#}

{#- The relation holding raw table `name`. Today: the demo seeds. The archive import
    (raw files) plugs in here, so the models never change between datasets. -#}
{% macro raw_relation(name) -%}
    {{ return(ref(name)) }}
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
