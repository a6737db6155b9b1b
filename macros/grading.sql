{#- The suggested-grade rules of ../shared/DOMAIN.md, first that applies, shared by registered
    incidents (int_incident_grades_suggested) and candidate incidents
    (int_candidate_incidents_graded). Arguments are column expressions:
      conceding       a blamed belligerent that conceded the harm (credible verdict), or null
      known_blamed    number of distinct known belligerents blamed
      ground_forces   whether ground forces are blamed
      sources         number of independent sources (outlets, not reposts of one)
      strike_releases declared strike releases by a blamed belligerent nearby
      strike_status   the assessor's strike status, or null
    Discounted is never suggested; several sources without strike evidence, or none, get
    no suggestion. -#}
{% macro suggested_grade_id(conceding, known_blamed, ground_forces, sources, strike_releases, strike_status) -%}
    case
        when {{ conceding }} is not null then 'confirmed'
        when {{ known_blamed }} >= 2 or {{ ground_forces }} then 'contested'
        when
            {{ sources }} >= 2
            and ({{ strike_releases }} > 0 or {{ strike_status }} in ('declared_strike', 'likely_strike'))
            then 'fair'
        when {{ sources }} = 1 then 'weak'
    end
{%- endmacro %}

{#- The reason for suggested_grade_id(), in plain words; same arguments. -#}
{% macro suggestion_reason(conceding, known_blamed, ground_forces, sources, strike_releases, strike_status) -%}
    case
        when {{ conceding }} is not null
            then 'Confirmed: ' || {{ conceding }} || ' conceded the harm (its verdict is credible).'
        when {{ ground_forces }}
            then 'Contested: ground forces may be responsible.'
        when {{ known_blamed }} >= 2
            then 'Contested: ' || cast({{ known_blamed }} as varchar) || ' belligerents are blamed.'
        when {{ sources }} >= 2 and {{ strike_releases }} > 0
            then 'Fair: ' || cast({{ sources }} as varchar)
                || ' independent sources, and a declared strike by a blamed belligerent nearby.'
        when {{ sources }} >= 2 and {{ strike_status }} in ('declared_strike', 'likely_strike')
            then 'Fair: ' || cast({{ sources }} as varchar)
                || ' independent sources, and the strike status is ' || {{ strike_status }} || '.'
        when {{ sources }} = 1
            then 'Weak: a single source.'
        when {{ sources }} >= 2
            then 'No suggestion: ' || cast({{ sources }} as varchar)
                || ' sources but no declared or likely strike nearby; an assessor must decide.'
        else 'No suggestion: no source is linked to the incident.'
    end
{%- endmacro %}
