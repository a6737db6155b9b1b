{#- A date is not after the date that bounds it by more than var civcas_date_tolerance_days
    (macros/date_plausibility.sql), e.g. an event and the report of it:
      - date_not_after:
          arguments:
            date_column: incident_date
            bound_column: date_reported -#}
{% test date_not_after(model, date_column, bound_column) %}

select
    {{ date_column }},
    {{ bound_column }}
from {{ model }}
where {{ date_column }} > {{ date_with_tolerance(bound_column) }}

{% endtest %}
