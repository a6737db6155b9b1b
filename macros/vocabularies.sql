{#- Controlled vocabularies that shape mart columns. Mart contracts need fixed column
    names, so these lists are fixed here; singular tests check that they match the
    reference seeds (tests/singular/assert_vocabularies_match_seeds.sql). -#}

{% macro source_type_ids() -%}
    {{ return(['local_media', 'international_media', 'ngo_monitor', 'social_media', 'official_military', 'witness_volunteer']) }}
{%- endmacro %}

{% macro grade_ids() -%}
    {{ return(['confirmed', 'fair', 'weak', 'contested', 'discounted']) }}
{%- endmacro %}

{#- The additive monthly measures of fct_monthly_belligerent_summary, in column order. -#}
{% macro monthly_summary_measures() -%}
    {%- set measures = [
        'alleged_incidents', 'alleged_killed_min', 'alleged_killed_max',
        'alleged_injured_min', 'alleged_injured_max', 'alleged_incidents_with_unknown_killed',
        'likely_incidents', 'likely_killed_min', 'likely_killed_max',
        'likely_injured_min', 'likely_injured_max',
    ] -%}
    {%- for grade in grade_ids() -%}
        {%- do measures.append(grade ~ '_incidents') -%}
    {%- endfor -%}
    {%- do measures.append('ungraded_incidents') -%}
    {%- for grade in suggestable_grade_ids() -%}
        {%- do measures.append('suggested_' ~ grade ~ '_incidents') -%}
    {%- endfor -%}
    {%- do measures.extend([
        'shared_incidents', 'incidents_with_declared_strike_nearby',
        'deaths_conceded_min', 'deaths_conceded_max',
    ]) -%}
    {{ return(measures) }}
{%- endmacro %}

{#- The grades the machine may suggest for an ungraded incident (never discounted). -#}
{% macro suggestable_grade_ids() -%}
    {{ return(['confirmed', 'fair', 'weak', 'contested']) }}
{%- endmacro %}
