-- Every export says what its mart says: on the columns they share, the rows of the export
-- and of the mart are the same set, both ways (export_admitted_vs_alleged: its per-country
-- rows); and the exports agree with each other - the coalition and Russia columns of
-- export_monthly_coalition_vs_russia equal the belligerents' rows of
-- export_monthly_belligerent_summary, for each country and for all countries together.
-- Each row returned names the export and how it differs.
{#- (export, mart, filter on the export's rows, filter on the mart's rows): the public incident
    list holds the incidents of the build's period (macros/release_period.sql). -#}
{%- set comparisons = [
    ('export_public_incidents', 'fct_incidents', none, in_release_period('incident_month')),
    ('export_monthly_coalition_vs_russia', 'monthly_coalition_vs_russia', none, none),
    ('export_monthly_belligerent_summary', 'fct_monthly_belligerent_summary', none, none),
    ('export_grade_summary', 'fct_monthly_grade_summary', none, none),
    ('export_admitted_vs_alleged', 'fct_monthly_belligerent_summary', "country_id <> 'all'", none),
] %}
{%- set side_measures = [
    'alleged_incidents', 'alleged_killed_min', 'alleged_killed_max',
    'likely_incidents', 'likely_killed_min', 'likely_killed_max',
    'deaths_conceded_min', 'deaths_conceded_max', 'cumulative_deaths_conceded_max',
] %}

with

{%- for export_name, mart_name, export_filter, mart_filter in comparisons %}
    {%- set shared_columns = [] %}
    {%- set mart_shared_columns = [] %}
    {%- if execute %}
        {%- set mart_types = {} %}
        {%- for column in adapter.get_columns_in_relation(ref(mart_name)) %}
            {%- do mart_types.update({column.name: column.dtype | lower}) %}
        {%- endfor %}
        {%- for column in adapter.get_columns_in_relation(ref(export_name)) %}
            {%- if column.name in mart_types %}
                {%- do shared_columns.append(adapter.quote(column.name)) %}
                {#- a list in the mart is joined into one text in the export (release_list_text) #}
                {%- if is_list_type(mart_types[column.name]) and not is_list_type(column.dtype | lower) %}
                    {%- do mart_shared_columns.append(release_list_text(adapter.quote(column.name)) ~ ' as ' ~ adapter.quote(column.name)) %}
                {%- else %}
                    {%- do mart_shared_columns.append(adapter.quote(column.name)) %}
                {%- endif %}
            {%- endif %}
        {%- endfor %}
    {%- endif %}
    {%- set column_list = shared_columns | join(', ') if shared_columns else 'is_synthetic' %}
    {%- set mart_column_list = mart_shared_columns | join(', ') if mart_shared_columns else 'is_synthetic' %}

    {{ export_name }}_only as (

        select {{ column_list }} from {{ ref(export_name) }}
        {%- if export_filter %}
            where {{ export_filter }}
        {%- endif %}
        except
        select {{ mart_column_list }} from {{ ref(mart_name) }}
        {%- if mart_filter %}
            where {{ mart_filter }}
        {%- endif %}

    ),

    {{ export_name }}_missing as (

        select {{ mart_column_list }} from {{ ref(mart_name) }}
        {%- if mart_filter %}
            where {{ mart_filter }}
        {%- endif %}
        except
        select {{ column_list }} from {{ ref(export_name) }}
        {%- if export_filter %}
            where {{ export_filter }}
        {%- endif %}

    ),
{%- endfor %}

monthly_summary as (

    select * from {{ ref('export_monthly_belligerent_summary') }}

),

belligerent_scopes as (

    select
        month,
        country_id,
        belligerent_id,
        {%- for measure in side_measures %}
            {{ measure }},
        {%- endfor %}
        ungraded_incidents
    from monthly_summary
    union all
    select
        month,
        'all' as country_id,
        belligerent_id,
        {%- for measure in side_measures %}
            sum({{ measure }}) as {{ measure }},
        {%- endfor %}
        sum(ungraded_incidents) as ungraded_incidents
    from monthly_summary
    group by month, belligerent_id

),

side_mismatches as (

    select
        comparison.month,
        comparison.country_id,
        sides.belligerent_id
    from {{ ref('export_monthly_coalition_vs_russia') }} as comparison
    inner join belligerent_scopes as sides
        on
            comparison.month = sides.month
            and comparison.country_id = sides.country_id
            and sides.belligerent_id in ('coalition', 'russia')
    where
        {%- for measure in side_measures + ['ungraded_incidents'] %}
            (
                sides.belligerent_id = 'coalition'
                and comparison.coalition_{{ measure }} is distinct from sides.{{ measure }}
            )
            or (
                sides.belligerent_id = 'russia'
                and comparison.russia_{{ measure }} is distinct from sides.{{ measure }}
            )
            {%- if not loop.last %} or{% endif %}
        {%- endfor %}

),

differences as (

    {%- for export_name, mart_name, export_filter, mart_filter in comparisons %}
        select
            '{{ export_name }}' as export_name,
            'rows not in {{ mart_name }}' as difference,
            count(*) as differing_rows
        from {{ export_name }}_only
        union all
        select
            '{{ export_name }}' as export_name,
            'rows of {{ mart_name }} missing' as difference,
            count(*) as differing_rows
        from {{ export_name }}_missing
        union all
    {%- endfor %}
    select
        'export_monthly_coalition_vs_russia' as export_name,
        'a side differs from export_monthly_belligerent_summary' as difference,
        count(*) as differing_rows
    from side_mismatches

)

select * from differences
where differing_rows > 0
