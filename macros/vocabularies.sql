{#- Controlled vocabularies that shape mart columns. Mart contracts need fixed column
    names, so these lists are fixed here; singular tests check that they match the
    reference seeds (tests/singular/assert_vocabularies_match_seeds.sql). -#}

{% macro source_type_ids() -%}
    {{ return(['local_media', 'international_media', 'ngo_monitor', 'social_media', 'official_military', 'witness_volunteer']) }}
{%- endmacro %}

{% macro grade_ids() -%}
    {{ return(['confirmed', 'fair', 'weak', 'contested', 'discounted']) }}
{%- endmacro %}
