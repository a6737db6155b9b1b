{#- The suggested-grade rules of ../shared/DOMAIN.md: ONE ordered list, first rule that applies,
    used by registered incidents (int_incident_grades_suggested) and candidate incidents
    (int_candidate_incidents_graded) for both the grade and its reason in words. Every threshold
    is a var (dbt_project.yml, calibrated by `civcas evaluate-grades --calibrate`) and is written
    here once.

    The rules read these evidence columns, which both models provide under these names:
      conceding_belligerent_id         a blamed belligerent that conceded the harm (credible verdict), or null
      source_count                     independent sources (outlets, not reposts of one)
      known_belligerent_count          distinct known belligerents blamed ("unknown" left out)
      is_ground_forces_blamed          whether ground forces are blamed
      is_unknown_blamed                whether "unknown" is blamed too (the blame is open)
      declared_strike_releases_nearby  declared strike releases by a blamed belligerent, in its governorate,
                                       within civcas_strike_match_window_days
      likely_strike_belligerent_id     the blamed belligerent most active nearby (int_grading_activity_nearby)
      other_incidents_nearby           its other incidents in the governorate within ±civcas_grade_activity_window_days
      strike_releases_in_window        its declared strike releases in the same governorate and window
      co_belligerent_id                its most active co-belligerent there (not itself blamed)
      co_belligerent_incidents_nearby  that co-belligerent's incidents in the same governorate and window
      governorate_id                   the incident's governorate
    The suggestion never reads the assessor's grade or strike status. Discounted is never
    suggested: no rule below names it. -#}
{% macro grading_rules(overrides=none) -%}
    {#- overrides: a dict of var name -> value that replaces the var, for calibration only
        (`civcas evaluate-grades --calibrate` scores many settings in one query). -#}
    {%- set settings = {
        'civcas_grade_activity_window_days': var('civcas_grade_activity_window_days'),
        'civcas_grade_fair_min_activity': var('civcas_grade_fair_min_activity'),
        'civcas_grade_fair_min_sources': var('civcas_grade_fair_min_sources'),
        'civcas_grade_contested_min_co_activity': var('civcas_grade_contested_min_co_activity'),
    } -%}
    {%- if overrides -%}{%- do settings.update(overrides) -%}{%- endif -%}
    {%- set window_days = settings['civcas_grade_activity_window_days'] | string -%}
    {%- set min_activity = settings['civcas_grade_fair_min_activity'] | string -%}
    {%- set min_sources = settings['civcas_grade_fair_min_sources'] | string -%}
    {%- set min_co_activity = settings['civcas_grade_contested_min_co_activity'] -%}
    {%- set text = dbt.type_string() -%}
    {%- set rules = [
        {
            'name': 'conceded',
            'grade': 'confirmed',
            'condition': 'conceding_belligerent_id is not null',
            'reason': "'Confirmed: ' || conceding_belligerent_id || ' conceded the harm (its verdict is credible).'",
        },
        {
            'name': 'few_sources',
            'grade': 'weak',
            'condition': 'source_count between 1 and ' ~ min_sources ~ ' - 1',
            'reason': "'Weak: ' || case when source_count = 1 then 'a single source' else 'only ' || cast(source_count as " ~ text ~ ") || ' independent sources' end || ' (fewer than " ~ min_sources ~ ").'",
        },
        {
            'name': 'ground_forces',
            'grade': 'contested',
            'condition': 'is_ground_forces_blamed',
            'reason': "'Contested: ground forces may be responsible.'",
        },
        {
            'name': 'several_blamed',
            'grade': 'contested',
            'condition': 'known_belligerent_count >= 2',
            'reason': "'Contested: ' || cast(known_belligerent_count as " ~ text ~ ") || ' belligerents are blamed.'",
        },
    ] -%}
    {%- if min_co_activity is not none -%}
        {%- do rules.append({
            'name': 'co_belligerent_active',
            'grade': 'contested',
            'condition': 'is_unknown_blamed and co_belligerent_id is not null and co_belligerent_incidents_nearby >= ' ~ (min_co_activity | string),
            'reason': "'Contested: the blame is open (unknown is blamed too) and co-belligerent ' || co_belligerent_id || ' of ' || likely_strike_belligerent_id || ' had ' || cast(co_belligerent_incidents_nearby as " ~ text ~ ") || ' incident(s) in ' || governorate_id || ' within ±" ~ window_days ~ " days.'",
        }) -%}
    {%- endif -%}
    {%- do rules.extend([
        {
            'name': 'declared_strike',
            'grade': 'fair',
            'condition': 'declared_strike_releases_nearby > 0',
            'reason': "'Fair: ' || cast(declared_strike_releases_nearby as " ~ text ~ ") || ' declared strike release(s) by a blamed belligerent in its governorate within ±" ~ (var('civcas_strike_match_window_days') | string) ~ " day(s).'",
        },
        {
            'name': 'likely_strike',
            'grade': 'fair',
            'condition': 'likely_strike_belligerent_id is not null and other_incidents_nearby + strike_releases_in_window >= ' ~ min_activity,
            'reason': "'Fair: a likely strike: ' || likely_strike_belligerent_id || ' has ' || cast(other_incidents_nearby as " ~ text ~ ") || ' other incident(s) and ' || cast(strike_releases_in_window as " ~ text ~ ") || ' declared strike release(s) in ' || governorate_id || ' within ±" ~ window_days ~ " days.'",
        },
    ]) -%}
    {{ return(rules) }}
{%- endmacro %}

{#- The suggested grade: the grade of the first rule that applies, or null. -#}
{% macro suggested_grade_id(overrides=none) -%}
    case
        {%- for rule in grading_rules(overrides) %}
            when {{ rule.condition }} then '{{ rule.grade }}'
        {%- endfor %}
    end
{%- endmacro %}

{#- The name of the rule that applied (grading_rules()), or 'none'. -#}
{% macro suggestion_rule(overrides=none) -%}
    case
        {%- for rule in grading_rules(overrides) %}
            when {{ rule.condition }} then '{{ rule.name }}'
        {%- endfor %}
        else 'none'
    end
{%- endmacro %}

{#- The suggestion's reason in words: the first rule's reason, or why there is none. -#}
{% macro suggestion_reason(overrides=none) -%}
    case
        {%- for rule in grading_rules(overrides) %}
            when {{ rule.condition }} then {{ rule.reason }}
        {%- endfor %}
        when coalesce(source_count, 0) = 0 and known_belligerent_count = 0
            then 'No suggestion: no source and no known belligerent; an assessor must decide.'
        else 'No suggestion: no concession, no contest, and no declared or likely strike nearby by a blamed belligerent; an assessor must decide.'
    end
{%- endmacro %}
