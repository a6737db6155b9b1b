{#- Regular expressions on PostgreSQL. The project writes its patterns in DuckDB's syntax (RE2);
    PostgreSQL's (ARE) reads several of them differently, silently:
    * \s, \d, \w are ASCII in RE2 ([\t\n\f\r ], [0-9], [0-9A-Za-z_]) and follow the locale in
      PostgreSQL (every Unicode space, for one);
    * `.` does not match a line break in RE2, and does in PostgreSQL;
    * \pL, \pM, \pN (Unicode letters, marks, numbers) do not exist in PostgreSQL: they become
      the code points DuckDB matches (macros/postgres/regex_classes.sql, generated);
    * \xHH is greedy in PostgreSQL (\x20ab is one character): it becomes \u00HH;
    * \b is a word boundary in RE2 and a backspace in PostgreSQL: it stops the build here, as
      do the other escapes without an equal (\B, \A, \z, \Q, \E, \C, \S or \PL in a bracket).
    postgres_regex translates a pattern given as an SQL string literal (as the macros pass
    them) into an SQL string literal for PostgreSQL, at compile time. With full=true, it
    matches the whole text (regexp_full_match). -#}

{% macro postgres_regex(pattern, full=false) -%}
    {%- set text = pattern | trim -%}
    {%- if not (text[:1] == "'" and text[-1:] == "'" and text | length >= 2) -%}
        {{ exceptions.raise_compiler_error("postgres_regex: give the pattern as an SQL string literal, not " ~ pattern) }}
    {%- endif -%}
    {%- set body = text[1:-1].replace("''", "'") -%}
    {%- set state = namespace(out='', escape=false, in_class=false, class_open=0, skip=0) -%}
    {%- set whitespace = '\\t\\n\\f\\r ' -%}
    {%- set classes = {'d': '0-9', 'w': '0-9A-Za-z_', 's': whitespace} -%}
    {%- for position in range(body | length) -%}
        {%- set character = body[position] -%}
        {%- if state.skip > 0 -%}
            {%- set state.skip = state.skip - 1 -%}
        {%- elif state.escape -%}
            {%- set state.escape = false -%}
            {%- if character in classes -%}
                {%- set inner = classes[character] -%}
                {%- set state.out = state.out ~ (inner if state.in_class else '[' ~ inner ~ ']') -%}
            {%- elif character in ['D', 'W', 'S'] and not state.in_class -%}
                {%- set state.out = state.out ~ '[^' ~ classes[character | lower] ~ ']' -%}
            {%- elif character in ['p', 'P'] -%}
                {%- set name = body[position + 1] if position + 1 < body | length else '' -%}
                {%- if name == '{' -%}
                    {{ exceptions.raise_compiler_error("postgres_regex: write \\p with a one-letter class (\\pL), not \\p{...}, in " ~ pattern) }}
                {%- endif -%}
                {%- set inner = postgres_regex_unicode_class(name) -%}
                {%- set state.skip = 1 -%}
                {%- if character == 'p' -%}
                    {%- set state.out = state.out ~ (inner if state.in_class else '[' ~ inner ~ ']') -%}
                {%- elif not state.in_class -%}
                    {%- set state.out = state.out ~ '[^' ~ inner ~ ']' -%}
                {%- else -%}
                    {{ exceptions.raise_compiler_error("postgres_regex: \\P inside a bracket expression has no PostgreSQL equal, in " ~ pattern) }}
                {%- endif -%}
            {%- elif character == 'x' -%}
                {%- set state.out = state.out ~ '\\u00' ~ body[position + 1:position + 3] -%}
                {%- set state.skip = 2 -%}
            {%- elif character in ['b', 'B', 'A', 'z', 'Q', 'E', 'C', 'D', 'W', 'S'] -%}
                {{ exceptions.raise_compiler_error("postgres_regex: \\" ~ character ~ " has no PostgreSQL equal here (\\b is a backspace there, and would silently stop matching), in " ~ pattern) }}
            {%- else -%}
                {%- set state.out = state.out ~ '\\' ~ character -%}
            {%- endif -%}
        {%- elif character == '\\' -%}
            {%- set state.escape = true -%}
        {%- elif state.in_class -%}
            {%- if character == ']' and position > state.class_open -%}
                {%- set state.in_class = false -%}
            {%- elif character == '^' and position == state.class_open -%}
                {%- set state.class_open = position + 1 -%}
            {%- endif -%}
            {%- set state.out = state.out ~ character -%}
        {%- elif character == '[' -%}
            {%- set state.in_class = true -%}
            {%- set state.class_open = position + 1 -%}
            {%- set state.out = state.out ~ character -%}
        {%- elif character == '.' -%}
            {%- set state.out = state.out ~ '[^\\n]' -%}
        {%- else -%}
            {%- set state.out = state.out ~ character -%}
        {%- endif -%}
    {%- endfor -%}
    {%- set translated = '^(?:' ~ state.out ~ ')$' if full else state.out -%}
    {{ return("'" ~ translated.replace("'", "''") ~ "'") }}
{%- endmacro %}

{#- PostgreSQL's equals of DuckDB's regular-expression functions, on an RE2 pattern literal. -#}

{#- regexp_full_match: the whole text matches. -#}
{% macro postgres_regexp_full_match(expr, pattern) -%}
    ({{ expr }} ~ {{ postgres_regex(pattern, full=true) }})
{%- endmacro %}

{#- regexp_matches: some part of the text matches. -#}
{% macro postgres_regexp_matches(expr, pattern) -%}
    ({{ expr }} ~ {{ postgres_regex(pattern) }})
{%- endmacro %}

{#- regexp_extract(expr, pattern, group): the group of the first match, '' when there is none
    (null only for a null text). The pattern is wrapped in a group of its own, so group 0 is
    the whole match. -#}
{% macro postgres_regexp_extract(expr, pattern, group=0) -%}
    {%- set wrapped = "'(" ~ (pattern | trim)[1:-1] ~ ")'" -%}
    case when {{ expr }} is not null then coalesce((regexp_match({{ expr }}, {{ postgres_regex(wrapped) }}))[{{ group + 1 }}], '') end
{%- endmacro %}

{#- regexp_replace(expr, pattern, replacement, 'g'): every match replaced. -#}
{% macro postgres_regexp_replace_all(expr, pattern, replacement) -%}
    regexp_replace({{ expr }}, {{ postgres_regex(pattern) }}, {{ replacement }}, 'g')
{%- endmacro %}
