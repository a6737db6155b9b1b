{#- Vars given on the command line (--vars), checked. The known vars are the ones dbt_project.yml
    declares under `vars:`, the one list of them; a var is never read without being declared
    there (tests/python/test_vars.py). A misspelt civcas var would otherwise be ignored in
    silence: dbt takes any name, and the model reads its default.

    A var given on the command line that is not declared stops the build, with one line naming
    the closest known var, when it is meant for civcas: its name starts with `civcas`, speaks of
    an as-of date, or is within two edits of a known var (with or without the `civcas_` prefix).
    Any other name is left alone: it may be dbt's own, an adapter's or a package's. -#}

{#- The names of the vars dbt_project.yml declares (global and scoped to this project). dbt's
    jinja sandbox shows a project's vars only through the var object's packages_for_node; a dbt
    without it gives the empty list, and nothing is checked. -#}
{% macro known_var_names() -%}
    {%- set names = [] -%}
    {%- if var.packages_for_node is defined -%}
        {%- for package in var.packages_for_node() -%}
            {%- for key, value in package.vars.to_dict().items() -%}
                {%- if key == package.project_name and value is mapping -%}
                    {%- do names.extend(value.keys() | list) -%}
                {%- else -%}
                    {%- do names.append(key) -%}
                {%- endif -%}
            {%- endfor -%}
        {%- endfor -%}
    {%- endif -%}
    {{ return(names | unique | list) }}
{%- endmacro %}

{#- The number of single-character insertions, deletions and substitutions between two words. -#}
{% macro edit_distance(first, second) -%}
    {%- set previous = namespace(row=range(second | length + 1) | list) -%}
    {%- for i in range(first | length) -%}
        {%- set current = [i + 1] -%}
        {%- for j in range(second | length) -%}
            {%- set substitution = previous.row[j] + (0 if first[i] == second[j] else 1) -%}
            {%- do current.append([previous.row[j + 1] + 1, current[j] + 1, substitution] | min) -%}
        {%- endfor -%}
        {%- set previous.row = current -%}
    {%- endfor -%}
    {{ return(previous.row[-1]) }}
{%- endmacro %}

{#- Stops the run when a var given with --vars is meant for civcas but not declared. Called where
    every dbt command that reads the project passes (as_of_var, at parse time). -#}
{% macro check_cli_vars() -%}
    {%- set cli_vars = invocation_args_dict.get('vars') or {} -%}
    {%- if cli_vars is string -%}
        {%- set cli_vars = fromyaml(cli_vars) or {} -%}
    {%- endif -%}
    {%- set known = known_var_names() if cli_vars else [] -%}
    {%- if not known -%}
        {{ return(none) }}
    {%- endif -%}
    {%- for name in cli_vars if name not in known -%}
        {%- set lowered = name | string | lower -%}
        {%- set closest = namespace(name=none, distance=none) -%}
        {%- for candidate in known | sort -%}
            {%- set distance = [edit_distance(lowered, candidate), edit_distance(lowered, modules.re.sub('^civcas_', '', candidate))] | min -%}
            {%- if closest.distance is none or distance < closest.distance -%}
                {%- set closest.name = candidate -%}
                {%- set closest.distance = distance -%}
            {%- endif -%}
        {%- endfor -%}
        {%- set is_ours = lowered.startswith('civcas') or 'asof' in modules.re.sub('[^a-z]', '', lowered) or closest.distance <= 2 -%}
        {%- if is_ours -%}
            {{ exceptions.raise_compiler_error("var " ~ name ~ " is not a civcas var; did you mean " ~ closest.name ~ "? (the vars are listed in dbt_project.yml, vars:)") }}
        {%- endif -%}
    {%- endfor -%}
{%- endmacro %}
