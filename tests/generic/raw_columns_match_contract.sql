{#- A raw table has exactly the columns its YAML lists, in that order. Fails the build
    with a message naming the file and the columns, before staging reads a malformed
    file. The expected columns are the ones declared for the seed (or source) in YAML. -#}
{% test raw_columns_match_contract(model) %}

{%- if execute %}
    {%- set node = (graph.nodes.values() | selectattr('resource_type', 'equalto', 'seed') | selectattr('name', 'equalto', model.identifier) | list)
                or (graph.sources.values() | selectattr('identifier', 'equalto', model.identifier) | list) %}
    {%- set expected = node[0].columns.keys() | list if node else [] %}
    {%- if node and node[0].resource_type == 'source' %}
        {%- set file_path = var('civcas_raw_path', 'data/archive/raw') ~ '/' ~ model.identifier ~ '.parquet' %}
    {%- elif node %}
        {%- set file_path = node[0].original_file_path %}
    {%- else %}
        {%- set file_path = model.identifier %}
    {%- endif %}
    {#- a zero-row query, not get_columns_in_relation: it works for tables and for
        external files (read_parquet) alike -#}
    {#- a source is read as the models read it (raw_files_relation: on Spark, its Parquet files) -#}
    {%- set relation = raw_files_relation(model.identifier) if node and node[0].resource_type == 'source' else model %}
    {%- set actual = run_query('select * from ' ~ relation ~ ' limit 0').column_names | list %}
    {%- set missing = expected | reject('in', actual) | list %}
    {%- set extra = actual | reject('in', expected) | list %}
    {%- if missing or extra %}
        {{ exceptions.raise_compiler_error(
            "Malformed raw file " ~ file_path ~ ": "
            ~ ("missing column(s) " ~ (missing | join(', ')) ~ "; " if missing else "")
            ~ ("unexpected column(s) " ~ (extra | join(', ')) ~ "; " if extra else "")
            ~ "expected exactly: " ~ (expected | join(', '))
            ~ ". Fix the file's header, or the contract in seeds/raw/_raw__seeds.yml.") }}
    {%- elif expected != actual %}
        {{ exceptions.raise_compiler_error(
            "Malformed raw file " ~ file_path ~ ": columns are out of order; expected "
            ~ (expected | join(', ')) ~ " but found " ~ (actual | join(', ')) ~ ".") }}
    {%- endif %}
{%- endif %}

select 1 as failure where false

{% endtest %}
