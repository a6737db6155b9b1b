{#- Probabilistic linkage of claims (a Fellegi-Sunter model, trained by Splink).

    One place for the linking rules:
    * linking_comparisons(): every comparison and its levels, as SQL conditions on the two
      records of a pair (columns suffixed _l and _r, Splink's convention), each with the words
      that explain it. dbt computes the levels with them (linking_levels), and
      `civcas train-linking` hands the same conditions, rendered for the same engine, to
      Splink, which estimates each level's m and u probabilities (EM without labels; u by
      random sampling).
    * seeds/reference/ref_linking_levels.csv: the trained model (written by
      `civcas train-linking` from linking/splink_model.json): per comparison and level its m
      and u probability; the row comparison_name 'prior' holds the probability that two
      records match before any comparison.
    * var civcas_link_match_probability: the threshold above which a pair is a link.

    A pair's match weight is log2 of the prior odds plus, per comparison, log2(m / u) of the
    level it falls in (a null level, where a side does not say, weighs nothing); its match
    probability is 2^w / (1 + 2^w).

    Orientation: the left record of a pair is the claim; the right is the incident, or for two
    claims the one with the earlier date (linking_sort_key orders records so, and Splink
    orders its pairs by that key too). So a date gap left minus right of 1 to 3 days is a report
    posted after the event, and -1 a report dated a day before it. -#}

{#- The comparisons, in the order of the explanation. Each level: gamma (higher agrees more;
    -1 is the null level), the SQL condition, and the words; `{value}` in the words is
    replaced by the comparison's value_expr (rounded). Levels are tested top to bottom; a
    pair that meets none gets gamma 0 and the words of `else`. -#}
{% macro linking_comparisons() -%}
    {%- set jw = name_similarity('place_spelling_l', 'place_spelling_r') -%}
    {%- set gap = dbt.datediff('record_date_r', 'record_date_l', 'day') -%}
    {%- set gap_to_last = dbt.datediff('record_date_last_r', 'record_date_l', 'day') -%}
    {%- set km = haversine_km('latitude_l', 'longitude_l', 'latitude_r', 'longitude_r') -%}
    {#- two points finer than a town more than 3 km apart are two places: no nearness level -#}
    {%- set both_fine = '(is_fine_point_l and is_fine_point_r)' -%}
    {%- set blame = belligerent_compatibility(
        'belligerent_ids_l', 'belligerent_ids_r', 'co_belligerent_ids_l', 'co_belligerent_ids_r'
    ) -%}
    {#- The outlet comparison is not trained: EM on unlabelled intake cannot learn that an outlet rarely reports one
        strike twice (within a block, a shared outlet is commoner among matches than among
        random pairs). The domain sets it (../shared/DOMAIN.md): two reports by one outlet
        on one day lean towards two incidents; m and u are fixed, as Splink allows. -#}
    {%- set comparisons = [
        {'name': 'place', 'value_expr': jw, 'levels': [
            {'gamma': -1, 'sql': 'place_key_l is null or place_key_r is null', 'words': 'no place named'},
            {'gamma': 5, 'sql': 'place_key_l = place_key_r', 'words': 'same place'},
            {'gamma': 4, 'sql': jw ~ ' >= 0.92', 'words': 'same place (Jaro-Winkler {value})'},
            {'gamma': 3, 'sql': 'place_skeleton_l = place_skeleton_r or ' ~ jw ~ ' >= 0.85',
             'words': 'place alike (Jaro-Winkler {value})'},
            {'gamma': 2, 'sql': 'place_container_l = place_key_r or place_key_l = place_container_r'
                ~ ' or place_container_l = place_container_r',
             'words': 'one place within the other'},
            {'gamma': 1, 'sql': 'place_key_l = governorate_key_r or governorate_key_l = place_key_r'
                ~ ' or place_container_l = governorate_key_r or governorate_key_l = place_container_r',
             'words': 'one names only the area of the other'},
        ], 'else': 'different places'},
        {'name': 'event_date', 'value_expr': gap, 'levels': [
            {'gamma': 5, 'sql': 'record_date_l between record_date_r and record_date_last_r'
                ~ ' and not is_month_only_l and not is_month_only_r', 'words': 'same day'},
            {'gamma': 4, 'sql': gap_to_last ~ ' between 1 and 3 and not is_month_only_l and not is_month_only_r',
             'words': 'dated {value} days after'},
            {'gamma': 3, 'sql': gap ~ ' = -1 and not is_month_only_l and not is_month_only_r',
             'words': 'dated a day before'},
            {'gamma': 2, 'sql': '(is_month_only_l or is_month_only_r)'
                ~ ' and record_date_l <= record_date_last_r and record_date_r <= record_date_last_l',
             'words': 'same month (one side gives only the month)'},
            {'gamma': 1, 'sql': gap ~ ' between -7 and 7', 'words': 'dated {value} days apart'},
        ], 'else': 'dates far apart'},
        {'name': 'distance', 'value_expr': km, 'levels': [
            {'gamma': -1, 'sql': 'latitude_l is null or latitude_r is null',
             'words': 'no point to measure'},
            {'gamma': 6, 'sql': km ~ ' <= 0.1', 'words': 'the same point'},
            {'gamma': 5, 'sql': both_fine ~ ' and ' ~ km ~ ' <= 1', 'words': 'points {value} km apart'},
            {'gamma': 4, 'sql': both_fine ~ ' and ' ~ km ~ ' <= 3', 'words': 'points {value} km apart'},
            {'gamma': 3, 'sql': 'not ' ~ both_fine ~ ' and ' ~ km ~ ' <= 5',
             'words': 'points {value} km apart (a town point)'},
            {'gamma': 2, 'sql': 'not ' ~ both_fine ~ ' and ' ~ km ~ ' <= 10',
             'words': 'points {value} km apart (a town point)'},
            {'gamma': 1, 'sql': 'not ' ~ both_fine ~ ' and ' ~ km ~ ' <= 25', 'words': 'points {value} km apart'},
        ], 'else': 'points far apart'},
        {'name': 'governorate', 'value_expr': none, 'levels': [
            {'gamma': -1, 'sql': 'governorate_id_l is null or governorate_id_r is null',
             'words': 'governorate not given'},
            {'gamma': 1, 'sql': 'governorate_id_l = governorate_id_r', 'words': 'same governorate'},
        ], 'else': 'different governorates'},
        {'name': 'blame', 'value_expr': none, 'levels': [
            {'gamma': -1, 'sql': blame ~ " = 'unknown'", 'words': 'blame unknown'},
            {'gamma': 2, 'sql': blame ~ " = 'shared'", 'words': 'blame compatible'},
            {'gamma': 1, 'sql': blame ~ " = 'co_belligerent'", 'words': 'co-belligerents blamed'},
        ], 'else': 'different belligerents blamed'},
        {'name': 'outlet', 'value_expr': none, 'levels': [
            {'gamma': -1, 'sql': 'source_ids_l is null or source_ids_r is null', 'words': none},
            {'gamma': 1, 'sql': 'record_date_l <> record_date_r or not ('
                ~ sets_overlap('source_ids_l', 'source_ids_r') ~ ')',
             'words': 'other outlets', 'm_probability': 0.99, 'u_probability': 0.95},
        ], 'else': 'same outlet the same day', 'else_m_probability': 0.01, 'else_u_probability': 0.05},
        {'name': 'figures', 'value_expr': none, 'levels': [
            {'gamma': -1, 'sql': 'killed_low_l is null or killed_low_r is null', 'words': none},
            {'gamma': 2, 'sql': 'killed_low_l <= killed_high_r and killed_low_r <= killed_high_l',
             'words': 'deaths agree'},
            {'gamma': 1, 'sql': 'killed_high_l * 2 >= killed_low_r and killed_high_r * 2 >= killed_low_l',
             'words': 'deaths similar'},
        ], 'else': 'deaths differ'},
    ] -%}
    {{ return(comparisons) }}
{%- endmacro %}

{#- The level of every comparison, as columns gamma_<name>, for a relation of pairs. -#}
{% macro linking_levels() -%}
    {%- for comparison in linking_comparisons() %}
    case
        {%- for level in comparison['levels'] %}
        when {{ level['sql'] }} then {{ level['gamma'] }}
        {%- endfor %}
        else 0
    end as gamma_{{ comparison['name'] }}{{ ',' if not loop.last }}
    {%- endfor %}
{%- endmacro %}

{#- The record columns the comparisons read, for a relation of clean claims or incidents
    (int_claims_validated / int_incidents_validated columns, whose place keys staging computed:
    macros/place_keys.sql), joined to ref_geo_precisions as `precision_alias`, to the
    governorate keys (int_linking_records: governorate_id, governorate_key) as
    `governorate_alias` and to the gazetteer's places by core key as `container_alias` (the
    place the name says it lies in). A point is kept only when it is a location (exact to
    city); an area centroid is never measured from.
    * place_key: the gazetteer's place, else the core key (an area, "Idlib countryside", never
      resolves to the town it is named after, so it keeps its core key: measured on the
      simulated intake, giving areas a key of their own lost recall and no precision);
    * place_spelling, place_skeleton: the core key and its consonant skeleton, compared by
      Jaro-Winkler and equality (the core key rather than the whole name's: as good without
      noise, and "X village" is spelt like X);
    * place_container: the gazetteer's place the name lies in, else its key;
    * governorate_key: the governorate's name as a place key (linking_governorate_keys). -#}
{% macro linking_place_and_date_columns(relation_alias, precision_alias, governorate_alias, container_alias) -%}
    {{ relation_alias }}.incident_date as record_date,
    coalesce({{ relation_alias }}.incident_date_last, {{ relation_alias }}.incident_date) as record_date_last,
    coalesce({{ relation_alias }}.date_precision = 'month', false) as is_month_only,
    coalesce({{ relation_alias }}.place_id, {{ relation_alias }}.place_core_match_key) as place_key,
    {{ relation_alias }}.place_core_match_key as place_spelling,
    {{ relation_alias }}.place_skeleton_key as place_skeleton,
    coalesce({{ container_alias }}.gazetteer_id, {{ relation_alias }}.place_container_match_key) as place_container,
    {{ relation_alias }}.resolved_governorate_id as governorate_id,
    {{ governorate_alias }}.governorate_key,
    case when {{ precision_alias }}.is_point_location or {{ precision_alias }}.geo_precision_id is null
        then {{ relation_alias }}.corrected_latitude end as latitude,
    case when {{ precision_alias }}.is_point_location or {{ precision_alias }}.geo_precision_id is null
        then {{ relation_alias }}.corrected_longitude end as longitude,
    coalesce({{ precision_alias }}.is_finer_than_town, false) as is_fine_point
{%- endmacro %}

{#- A select statement: one row per governorate, its governorate_key: the gazetteer place its
    name resolves to on the key ("Idlib" -> idlib_city), else the match key of its name, so
    that it compares with a place_key. `gazetteer_keys` is stg_reference__gazetteer_keys. -#}
{% macro linking_governorate_keys(gazetteer_keys) -%}
    select distinct
        governorate_names.gazetteer_id as governorate_id,
        coalesce(place_names.gazetteer_id, governorate_names.lookup_key) as governorate_key
    from {{ gazetteer_keys }} as governorate_names
    left join {{ gazetteer_keys }} as place_names
        on
            place_names.gazetteer_kind = 'place'
            and not place_names.is_lookup_key_ambiguous
            and governorate_names.lookup_key = place_names.lookup_key
    where governorate_names.gazetteer_kind = 'governorate' and governorate_names.is_canonical_name
{%- endmacro %}

{#- The columns of a pair: every record column of `left` suffixed _l and of `right` _r. -#}
{% macro linking_pair_columns(left, right) -%}
    {%- set columns = [
        'record_sort_key', 'record_date', 'record_date_last', 'is_month_only', 'place_key', 'place_spelling',
        'place_skeleton', 'place_container', 'governorate_id', 'governorate_key', 'latitude', 'longitude',
        'is_fine_point', 'belligerent_ids', 'co_belligerent_ids', 'source_ids', 'killed_low', 'killed_high',
    ] -%}
    {%- for column in columns %}
    {{ left }}.{{ column }} as {{ column }}_l,
    {{ right }}.{{ column }} as {{ column }}_r{{ ',' if not loop.last }}
    {%- endfor %}
{%- endmacro %}

{#- A record's order in a pair: later dates first (then claims before incidents, then id), so
    that the left record is the later report; Splink orders its pairs by this key. -#}
{% macro linking_sort_key(date_expr, kind_letter, id_expr) -%}
    cast(99999999 - {{ dbt.datediff("cast('1900-01-01' as date)", date_expr, 'day') }} as {{ dbt.type_string() }})
    || '{{ kind_letter }}' || {{ id_expr }}
{%- endmacro %}

{#- For a relation of pairs with their gamma_<name> columns (linking_levels): each
    comparison's weight, log2(m / u) from the trained model (ref_linking_levels), and the
    match weight (the prior's plus the levels'). The model's weights are read as one row, a
    column per comparison and level, so that a pair's weights are picked by a case, not by a
    join per comparison over every pair. The explanation (linking_explanation) is worded only
    for the pairs kept: it costs more than the score. -#}
{% macro linking_scores(pairs) -%}
    {%- set comparisons = linking_comparisons() %}
    select
        {{ pairs }}.*,
        model_weights.weight_prior
        {%- for comparison in comparisons %}
        + coalesce({{ comparison_weight(comparison) }}, 0)
        {%- endfor %} as match_weight,
        {%- for comparison in comparisons %}
        {{ comparison_weight(comparison) }} as weight_{{ comparison['name'] }}{{ ',' if not loop.last }}
        {%- endfor %}
    from {{ pairs }}
    cross join (
        select
            max(case when comparison_name = 'prior' then match_weight end) as weight_prior
            {%- for comparison in comparisons %}
            {%- for gamma in comparison_gammas(comparison) %},
            max(
                case
                    when comparison_name = '{{ comparison['name'] }}' and comparison_vector_value = {{ gamma }}
                        then match_weight
                end
            ) as weight_{{ comparison['name'] }}_{{ gamma }}
            {%- endfor %}
            {%- endfor %}
        from {{ ref('ref_linking_levels') }}
    ) as model_weights
{%- endmacro %}

{#- The levels a comparison can take that carry a weight: its levels and its else level (0);
    the null level (-1) weighs nothing. -#}
{% macro comparison_gammas(comparison) -%}
    {%- set gammas = [] %}
    {%- for level in comparison['levels'] %}
        {%- if level['gamma'] != -1 and level['gamma'] not in gammas %}{% do gammas.append(level['gamma']) %}{% endif %}
    {%- endfor %}
    {%- if 0 not in gammas %}{% do gammas.append(0) %}{% endif %}
    {{- return(gammas) }}
{%- endmacro %}

{#- A pair's weight for one comparison, from linking_scores' row of model weights. -#}
{% macro comparison_weight(comparison) -%}
    case gamma_{{ comparison['name'] }}
        {%- for gamma in comparison_gammas(comparison) %}
        when {{ gamma }} then model_weights.weight_{{ comparison['name'] }}_{{ gamma }}
        {%- endfor %}
    end
{%- endmacro %}

{#- A match weight as a probability. -#}
{% macro match_probability(weight_expr) -%}
    power(2, {{ weight_expr }}) / (1 + power(2, {{ weight_expr }}))
{%- endmacro %}

{#- The words of the levels a pair fell in, comparison by comparison, e.g. "same place
    (Jaro-Winkler 0.96), dated 2 days after, blame compatible"; a comparison a side gives no
    value for (its null level) weighs nothing and is left out. -#}
{% macro linking_explanation(comparisons=none) -%}
    {%- set comparisons = comparisons or linking_comparisons() %}
    {%- set parts = [] %}
    {%- for comparison in comparisons %}
        {%- set branches = [] %}
        {%- for level in comparison['levels'] + [{'gamma': 0, 'words': comparison['else']}] %}
            {#- a null level weighs nothing, so it is not said #}
            {%- if level['words'] and level['gamma'] != -1 %}
                {%- set pieces = level['words'].split('{value}') %}
                {%- set text = "'" ~ pieces[0] ~ "'" %}
                {%- if pieces | length > 1 %}
                    {%- set text = text ~ " || " ~ rounded_text("abs(" ~ comparison['value_expr'] ~ ")", 2)
                        ~ " || '" ~ pieces[1] ~ "'" %}
                {%- endif %}
                {%- do branches.append('when gamma_' ~ comparison['name'] ~ ' = ' ~ level['gamma'] ~ ' then ' ~ text) %}
            {%- endif %}
        {%- endfor %}
        {%- do parts.append('case ' ~ (branches | join(' ')) ~ ' end') %}
    {%- endfor %}
    concat_ws(', ', {{ parts | join(', ') }})
{%- endmacro %}

{#- Blocking: one row per record, key and day on which it may meet another record. The keys
    keep recall where names and points fail: the governorate (not for month-only dates,
    whose month in a busy governorate would meet everything), the place key and the place it
    lies in, the consonant skeleton of the spelling, and a grid cell of var
    civcas_link_cell_km for a point (located records are also put in the 8 cells around their
    own, on the side given expand=true). Days: the record's own dates, widened on the
    expanded side by var civcas_link_days_before (a report dated before the event) and
    civcas_link_days_after (a posting date written as the event's); not for the governorate,
    the coarsest key, which alone would meet every record of a busy week. reverse=true widens
    the later report's days instead (backwards), so the smaller side can be the expanded one.
    Join two sides on block_key and match_day and linking_first_meeting: each pair once. -#}
{% macro linking_block_keys(relation, expand=false, reverse=false) -%}
    {%- set cell_km = var('civcas_link_cell_km') %}
    {%- set before = var('civcas_link_days_before') if expand else 0 %}
    {%- set after = var('civcas_link_days_after') if expand else 0 %}
    {#- reverse: the expanded side is the report, not the event (the same pairs, met from the
        side that has fewer records) -#}
    {%- if reverse %}{% set before, after = after, before %}{% endif %}
    {%- set cell_offsets = [-1, 0, 1] if expand else [0] %}
    {#- the relation with its point's grid cell -#}
    {%- set celled %}(
            select
                *,
                cast(floor(latitude * 111.0 / {{ cell_km }}) as {{ dbt.type_bigint() }}) as latitude_cell,
                cast(floor(longitude * 90.0 / {{ cell_km }}) as {{ dbt.type_bigint() }}) as longitude_cell
            from {{ relation }}
        ) as celled
    {%- endset %}
    {%- set first_day = dbt.dateadd('day', '-' ~ before ~ ' * keyed.widens', 'keyed.record_date') %}
    {#- the columns linking_first_meeting reads: the key's kind, the record's own place keys
        and grid cell, and the first day of its window on this key -#}
    {%- set carried = 'record_id, record_sort_key, record_date, record_date_last, place_key, place_container, '
        ~ 'place_skeleton, latitude_cell, longitude_cell' %}
    select
        keyed.record_id,
        keyed.record_sort_key,
        keyed.block_kind,
        keyed.block_key,
        keyed.place_key,
        keyed.place_container,
        keyed.place_skeleton,
        keyed.latitude_cell,
        keyed.longitude_cell,
        {{ first_day }} as window_first_day,
        {{ day_series(first_day, dbt.dateadd('day', after ~ ' * keyed.widens', 'keyed.record_date_last')) }}
            as match_day
    from (
        select {{ carried }}, 'g' as block_kind, 'g:' || governorate_id as block_key, 0 as widens
        from {{ celled }}
        where governorate_id is not null and not is_month_only
        union all
        select {{ carried }}, 'p' as block_kind, 'p:' || place_key as block_key, 1 as widens
        from {{ celled }}
        where place_key is not null
        union all
        select {{ carried }}, 'p' as block_kind, 'p:' || place_container as block_key, 1 as widens
        from {{ celled }}
        where place_container is not null and (place_key is null or place_container <> place_key)
        union all
        select {{ carried }}, 's' as block_kind, 's:' || place_skeleton as block_key, 1 as widens
        from {{ celled }}
        where place_skeleton is not null
        {%- for latitude_offset in cell_offsets %}
        {%- for longitude_offset in cell_offsets %}
        union all
        select
            {{ carried }},
            'x' as block_kind,
            'x:' || cast(latitude_cell + {{ latitude_offset }} as {{ dbt.type_string() }})
            || ':' || cast(longitude_cell + {{ longitude_offset }} as {{ dbt.type_string() }}) as block_key,
            1 as widens
        from {{ celled }}
        where latitude_cell is not null and longitude_cell is not null
        {%- endfor %}
        {%- endfor %}
    ) as keyed
{%- endmacro %}

{#- The join condition, beside equal block_key and match_day, that keeps the first meeting of
    two records' key rows (linking_block_keys, as `left` and `right`) and drops the others: two
    records meet on every day their windows share and on every key they share, and at 10M
    claims 1.3 billion pairs met 5.3 billion times, too many for a distinct to hold. The
    first meeting: on the first day the windows share, and on the first kind of key in the
    order place (the smallest place key they share), skeleton, grid cell, governorate. -#}
{% macro linking_first_meeting(left, right) -%}
    {#- the left record's place key, and the place its name lies in, named by the right record -#}
    {%- set key_shared -%}
        {{ left }}.place_key = {{ right }}.place_key or {{ left }}.place_key = {{ right }}.place_container
    {%- endset %}
    {%- set container_shared -%}
        {{ left }}.place_container = {{ right }}.place_key or {{ left }}.place_container = {{ right }}.place_container
    {%- endset %}
    {%- set places_shared = 'coalesce(' ~ key_shared ~ ' or ' ~ container_shared ~ ', false)' %}
    {%- set skeletons_shared = 'coalesce(' ~ left ~ '.place_skeleton = ' ~ right ~ '.place_skeleton, false)' %}
    {%- set cells_near -%}
        coalesce(
            abs({{ left }}.latitude_cell - {{ right }}.latitude_cell) <= 1
            and abs({{ left }}.longitude_cell - {{ right }}.longitude_cell) <= 1,
            false
        )
    {%- endset -%}
    {{ left }}.match_day = greatest({{ left }}.window_first_day, {{ right }}.window_first_day)
    and case {{ left }}.block_kind
        when 'p' then {{ left }}.block_key = 'p:' || least(
            case when {{ key_shared }} then {{ left }}.place_key end,
            case when {{ container_shared }} then {{ left }}.place_container end
        )
        when 's' then not {{ places_shared }}
        when 'x' then not {{ places_shared }} and not {{ skeletons_shared }}
        else not {{ places_shared }} and not {{ skeletons_shared }} and not {{ cells_near }}
    end
{%- endmacro %}

{#- The most days two records of a pair can lie apart: blocking meets them no further apart
    (linking_block_keys). Candidate incidents refresh that far around a new claim. -#}
{% macro link_pair_max_day_gap() -%}
    {{- [var('civcas_link_days_before'), var('civcas_link_days_after')] | max -}}
{%- endmacro %}

{#- The match weight at or above which a pair is a link: var civcas_link_match_probability
    as a weight (log2 of its odds). -#}
{% macro link_weight_threshold() -%}
    {%- set probability = var('civcas_link_match_probability') %}
    (ln({{ probability }} / (1 - {{ probability }})) / ln(2))
{%- endmacro %}

{#- `dbt run-operation linking_comparisons_json`: the comparisons as JSON on one line, rendered
    for this target, for `civcas train-linking` to hand to Splink. -#}
{% macro linking_comparisons_json() -%}
    {%- do print('CIVCAS_LINKING_COMPARISONS ' ~ tojson(linking_comparisons())) -%}
{%- endmacro %}
