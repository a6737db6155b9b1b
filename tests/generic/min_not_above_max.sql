{#- A range's minimum is never above its maximum. Applied at model level:
      - min_not_above_max:
          arguments:
            min_column: civilians_killed_min
            max_column: civilians_killed_max -#}
{% test min_not_above_max(model, min_column, max_column) %}

select
    {{ min_column }},
    {{ max_column }}
from {{ model }}
where {{ min_column }} > {{ max_column }}

{% endtest %}
