{#- A second monitor: the UCDP Georeferenced Event Dataset (GED 19.1, Syria subset), read from
    the CSV file var civcas_ucdp_path names (make build-archive sets it to
    ../shared/data/external/ucdp-ged-syria/ged_syria.csv; never copied into the repository).
    When the var is unset (the synthetic demo) every UCDP model builds empty, with its types. -#}

{#- The columns of the GED file, in its order (GED codebook 19.1). Every one is read as text;
    stg_ucdp__events types them. -#}
{% macro ucdp_raw_columns() -%}
    {{ return([
        'id', 'year', 'active_year', 'type_of_violence', 'conflict_new_id', 'conflict_name',
        'dyad_new_id', 'dyad_name', 'side_a_new_id', 'side_a', 'side_b_new_id', 'gwnob', 'side_b',
        'number_of_sources', 'source_article', 'source_office', 'source_date', 'source_headline',
        'source_original', 'where_prec', 'where_coordinates', 'adm_1', 'adm_2', 'latitude',
        'longitude', 'geom_wkt', 'priogrid_gid', 'country', 'country_id', 'region', 'event_clarity',
        'date_prec', 'date_start', 'date_end', 'deaths_a', 'deaths_b', 'deaths_civilians',
        'deaths_unknown', 'low', 'best', 'high',
    ]) }}
{%- endmacro %}

{#- Is a UCDP file configured for this build? -#}
{% macro ucdp_is_configured() -%}
    {{ return(var('civcas_ucdp_path', none) not in [none, '']) }}
{%- endmacro %}

{#- The GED file as a relation of text columns (ucdp_raw_columns), one row per line of the
    file; with no file configured, the same columns and no row. -#}
{% macro ucdp_raw_events() -%}
    {%- if ucdp_is_configured() -%}
        {{ return(adapter.dispatch('ucdp_raw_events', 'civcas')(var('civcas_ucdp_path'))) }}
    {%- else -%}
        {{ return(ucdp_empty_events()) }}
    {%- endif -%}
{%- endmacro %}

{% macro ucdp_empty_events() -%}
    (
        select
            {%- for column in ucdp_raw_columns() %}
                cast(null as {{ dbt.type_string() }}) as {{ column }}{% if not loop.last %},{% endif %}
            {%- endfor %}
        where 1 = 0
    )
{%- endmacro %}

{#- DuckDB reads the CSV itself: every column as text, quotes doubled inside quoted fields. -#}
{% macro default__ucdp_raw_events(path) -%}
    (
        select
            {%- for column in ucdp_raw_columns() %}
                ucdp_file.{{ column }}{% if not loop.last %},{% endif %}
            {%- endfor %}
        from read_csv(
            '{{ path }}', header = true, all_varchar = true, delim = ',', quote = '"', escape = '"'
        ) as ucdp_file
    )
{%- endmacro %}

{#- Statements to run before reading the file (Spark registers a view over the CSV). -#}
{% macro ucdp_pre_hooks() -%}
    {{ return(adapter.dispatch('ucdp_pre_hooks', 'civcas')()) }}
{%- endmacro %}

{% macro default__ucdp_pre_hooks() -%}
    {{ return([]) }}
{%- endmacro %}

{#- A raw row's content as one text (null written as a marker), for its hash: exact copies of a
    line share it. -#}
{% macro ucdp_record_text(relation_alias) -%}
    concat_ws(
        '|'
        {%- for column in ucdp_raw_columns() %},
            coalesce({{ relation_alias }}.{{ column }}, '<null>')
        {%- endfor %}
    )
{%- endmacro %}

{#- ------------------------------------------------------------------ the attribution rule

    UCDP does not code the US-led coalition or Russia as sides: Russian strikes sit under
    `Government of Syria` dyads and coalition strikes mostly under `IS - SDF`. An event is
    attributed to a side only when its source_headline names the side, after the phrases that
    name it without blaming it for the event are taken out.

    The headline is read as words (ucdp_headline_words): lower case, clause punctuation
    (; , : ! ? and the ellipsis) kept as a ' | ' token so that no phrase runs across two
    headlines or clauses, every other run of non-letters and non-digits one space, a space at
    both ends. So every pattern below is a phrase of whole words between spaces: no \b, which
    PostgreSQL does not read as a word boundary.

    For each side: `names` (any of them names the side) and `not_blamed` (phrases that name
    the side in another role; each is taken out before the names are looked for). A
    not_blamed phrase starts with a space and does not end with one, so two of them in a row
    are both taken out. Each pattern comes with why, from the real headlines it was read off
    (the GED Syria subset, 2016-2019). -#}
{% macro ucdp_side_rules() -%}
    {{ return([
        {'side': 'coalition',
         'names': [
            {'pattern': ' coalitions? ', 'why': 'the word coalition: "the International Coalition", "Coalition warplanes", "US-led Coalition"'},
            {'pattern': ' (us|u s) led ', 'why': '"US-led", "U.S.-led" strikes without the word coalition'},
            {'pattern': ' (us|u s|american) (air strikes?|airstrikes?|drones?|drone strikes?|warplanes?|aircraft|bombing|bombardment|raids?|strikes?) ', 'why': '"US airstrike", "US drone strike", "American warplanes"'},
            {'pattern': ' cjtf ', 'why': 'CJTF-OIR, the coalition task force'},
         ],
         'not_blamed': [
            {'pattern': ' (rebel|rebels|opposition|national|islamist|jihadist|jihadi|factions|militant|militants|kurdish|arab) coalition[a-z]*', 'why': 'another coalition: of rebel factions, the (opposition) National Coalition'},
            {'pattern': ' coalition of', 'why': '"a coalition of rebel factions"'},
            {'pattern': ' (the )?(international )?coalition( s)? bases?', 'why': 'a place: "the Coalition\'s base in al-Tanf"'},
            {'pattern': ' bases? of the (international )?coalition[a-z]*', 'why': 'a place: "near the base of the International Coalition"'},
            {'pattern': ' coalition (forces )?advisors?', 'why': 'coalition advisers present, not striking'},
            {'pattern': ' (support|supported|backed|backing|cover) (from|of|by) (the )?(us forces and |american forces and )?(international )?coalition[a-z]*', 'why': 'a backer of ground forces: "with the support of the Coalition", "backed by the International Coalition" (the harm is the ground forces\')'},
            {'pattern': ' coalition (support|supported|backed)[a-z]*', 'why': '"with the US Forces and Coalition support"'},
            {'pattern': ' (attacks?|attacked|attacking|surrender to) (sdf and )?(the )?(international )?coalition[a-z]*', 'why': 'the coalition as a target: "ISIS attacks the Coalition", "refuse to surrender to the Coalition"'},
            {'pattern': ' vehicles of the (international )?coalition[a-z]*', 'why': '"using Hummer vehicles of the International Coalition"'},
         ]},
        {'side': 'russia',
         'names': [
            {'pattern': ' (russia|russian|russians) ', 'why': '"Russian warplanes", "the Russians", "Russia"; also "the Russian guarantor", SOHR\'s name for Russia as a striking party'},
         ],
         'not_blamed': [
            {'pattern': ' (turkish |turkey and |turks and )?(russia|russian|russians)( turkish| turks| american| jordanian)* (truces?|cease ?fire[a-z]*|case fire|armistice|agreements?|deal|demilitari[a-z]*|meeting|patrols?)', 'why': 'diplomacy: "the Russian - Turkish truce", "the Russian-American-Jordanian truce", "Turkish-Russian agreement"'},
            {'pattern': ' (the )?(truce|agreement|negotiations?|promises?|move|movements?) (of|with|between|announced by) (the )?(turkey and |opposition and the |jaish al islam and the )?(russia|russian|russians)[a-z]*', 'why': 'diplomacy: "the truce announced by Russia", "negotiations ... with the Russians"'},
            {'pattern': ' (russia|russian|russians)( s)? (main )?(military )?(bases?|patrols?|police|convoys?|advisers?|centers?|deployment|move|movements?|claim|meeting|officers?|soldiers?|members?|pilot|embassy|crossing|allegations?|green light|made|armed|delegation)[a-z]*', 'why': 'Russians as a place, a target, a victim, a speaker or a maker: "the Russian crossing", "the Russian Embassy", "Russian soldiers", "Russia\'s main military base", "Russian-made", "the Russian allegation"'},
            {'pattern': ' (so called|born dead|alleged) (russia|russian)[a-z]*', 'why': '"the so-called Russian - Turkish truce", "the born-dead Russian-truce"'},
         ]},
    ]) }}
{%- endmacro %}

{#- The sides of the rule, in order. -#}
{% macro ucdp_sides() -%}
    {%- set sides = [] -%}
    {%- for rule in ucdp_side_rules() -%}
        {%- do sides.append(rule.side) -%}
    {%- endfor -%}
    {{ return(sides) }}
{%- endmacro %}

{#- A pattern list as one RE2 alternation literal. -#}
{% macro ucdp_alternation(patterns) -%}
    {%- set parts = [] -%}
    {%- for item in patterns -%}
        {%- do parts.append('(?:' ~ item.pattern ~ ')') -%}
    {%- endfor -%}
    {{ return("'" ~ (parts | join('|')) ~ "'") }}
{%- endmacro %}

{#- A headline as words: lower case; ; , : ! ? and the ellipsis kept as a ' | ' token; every
    other run of characters that are not a-z or 0-9 one space; a space at both ends. -#}
{% macro ucdp_headline_words(expr) -%}
    ' ' || {{ key_regexp_replace(
        key_regexp_replace('lower(coalesce(' ~ expr ~ ", ''))", "'[;,:!?…]'", "' | '"),
        "'[^a-z0-9|]+'", "' '"
    ) }} || ' '
{%- endmacro %}

{#- Does the headline (as words: ucdp_headline_words) blame `side`? Its not_blamed phrases
    are taken out, then any of its names is looked for. -#}
{% macro ucdp_headline_names_side(words_expr, side) -%}
    {%- for rule in ucdp_side_rules() if rule.side == side -%}
        {{ text_matches(
            key_regexp_replace(words_expr, ucdp_alternation(rule.not_blamed), "' '"),
            ucdp_alternation(rule.names)
        ) }}
    {%- else -%}
        {{ exceptions.raise_compiler_error("ucdp_headline_names_side: no rule for side " ~ side) }}
    {%- endfor -%}
{%- endmacro %}

{#- Does the headline mention the side at all (before the not_blamed phrases are taken out)? -#}
{% macro ucdp_headline_mentions_side(words_expr, side) -%}
    {%- for rule in ucdp_side_rules() if rule.side == side -%}
        {{ text_matches(words_expr, ucdp_alternation(rule.names)) }}
    {%- endfor -%}
{%- endmacro %}

{#- Is the event's source the warehouse's own monitor (Airwars)? Then it is no independent
    check on it. -#}
{% macro ucdp_is_airwars_source(expr) -%}
    coalesce({{ text_matches('lower(' ~ expr ~ ')', "'air ?wars'") }}, false)
{%- endmacro %}
