{#- The project's regular expressions are RE2, as DuckDB runs them, written as SQL literals in
    standard SQL (a backslash is a backslash). Spark runs java.util.regex, and its SQL literals
    treat a backslash as an escape ('\s' is 's'). These two macros take an RE2 pattern or
    replacement literal and give the Spark literal with the same meaning, so that every
    pattern is written once (in its macro) for every engine:

    * \s is RE2's [\t\n\f\r ] (Java's \s adds \x0B); \S its complement;
    * . matches any character but \n (Java's also stops at \r, \u0085, \u2028, \u2029);
    * $ is the end of the text (Java's $ also matches before a final line break);
    * [ inside a class is a literal (Java would start a nested class);
    * \b, \B, \A, \z, \C, POSIX classes [[:...:]] and flags are refused with a compile error:
      the project uses none of them, and their meaning differs (Java's \b is Unicode-aware);
    * in a replacement, \1 is Java's $1, and a literal $ is \$.
    Only literals can be translated: a pattern built at run time raises a compile error. -#}

{#- The text of a SQL string literal ('...' with '' for a quote). -#}
{% macro spark_literal_text(literal) -%}
    {%- set text = literal | trim -%}
    {%- if text | length < 2 or text[0] != "'" or text[-1] != "'" -%}
        {{ exceptions.raise_compiler_error("a regular expression for Spark must be a SQL string literal, not " ~ literal) }}
    {%- endif -%}
    {{ return(text[1:-1].replace("''", "'")) }}
{%- endmacro %}

{#- `text` as a Spark SQL string literal: backslashes and quotes escaped. -#}
{% macro spark_string_literal(text) -%}
    {{ return("'" ~ text.replace('\\', '\\\\').replace("'", "\\'") ~ "'") }}
{%- endmacro %}

{#- An RE2 pattern literal as the Spark literal of the same Java pattern. -#}
{% macro spark_regex(pattern_literal) -%}
    {{ return(spark_string_literal(spark_java_pattern(spark_literal_text(pattern_literal)))) }}
{%- endmacro %}

{#- An RE2 pattern (text) as the Java pattern (text) of the same meaning. -#}
{% macro spark_java_pattern(pattern) -%}
    {%- if '[[:' in pattern or '(?' in pattern.replace('(?:', '') -%}
        {{ exceptions.raise_compiler_error("spark_regex: POSIX classes and flags are not translated: " ~ pattern) }}
    {%- endif -%}
    {#- whitespace but the space, as a class (RE2: \t \n \f \r) -#}
    {%- set pattern = pattern.replace('[^\\S ]', '[\\t\\n\\f\\r]') -%}
    {%- set state = namespace(out='', in_class=false, escaped=false, class_start=false) -%}
    {%- for ch in pattern -%}
        {%- if state.escaped -%}
            {%- if ch == 's' -%}
                {%- set state.out = state.out ~ ('\\t\\n\\f\\r ' if state.in_class else '[\\t\\n\\f\\r ]') -%}
            {%- elif ch == 'S' and not state.in_class -%}
                {%- set state.out = state.out ~ '[^\\t\\n\\f\\r ]' -%}
            {%- elif ch in 'SbBAzZCQE' -%}
                {{ exceptions.raise_compiler_error("spark_regex: \\" ~ ch ~ " means something else in Java; not translated: " ~ pattern) }}
            {%- else -%}
                {%- set state.out = state.out ~ '\\' ~ ch -%}
            {%- endif -%}
            {%- set state.escaped = false -%}
            {%- set state.class_start = false -%}
        {%- elif ch == '\\' -%}
            {%- set state.escaped = true -%}
        {%- elif state.in_class -%}
            {%- if ch == ']' and not state.class_start -%}
                {%- set state.in_class = false -%}
                {%- set state.out = state.out ~ ch -%}
            {%- elif ch == '^' and state.class_start and state.out[-1] == '[' -%}
                {%- set state.out = state.out ~ ch -%}
            {%- elif ch in '[&' -%}
                {%- set state.out = state.out ~ '\\' ~ ch -%}
                {%- set state.class_start = false -%}
            {%- else -%}
                {%- set state.out = state.out ~ ch -%}
                {%- set state.class_start = false -%}
            {%- endif -%}
        {%- elif ch == '[' -%}
            {%- set state.in_class = true -%}
            {%- set state.class_start = true -%}
            {%- set state.out = state.out ~ ch -%}
        {%- elif ch == '.' -%}
            {%- set state.out = state.out ~ '[^\\n]' -%}
        {%- elif ch == '$' -%}
            {%- set state.out = state.out ~ '\\z' -%}
        {%- else -%}
            {%- set state.out = state.out ~ ch -%}
        {%- endif -%}
    {%- endfor -%}
    {%- if state.escaped or state.in_class -%}
        {{ exceptions.raise_compiler_error("spark_regex: unfinished pattern: " ~ pattern) }}
    {%- endif -%}
    {{ return(state.out) }}
{%- endmacro %}

{#- An RE2 replacement literal (\1 is the first group) as a Java replacement literal ($1). -#}
{% macro spark_regex_replacement(replacement_literal) -%}
    {%- set replacement = spark_literal_text(replacement_literal) -%}
    {%- set state = namespace(out='', escaped=false) -%}
    {%- for ch in replacement -%}
        {%- if state.escaped -%}
            {%- set state.out = state.out ~ ('$' ~ ch if ch in '0123456789' else '\\' ~ ch) -%}
            {%- set state.escaped = false -%}
        {%- elif ch == '\\' -%}
            {%- set state.escaped = true -%}
        {%- elif ch == '$' -%}
            {%- set state.out = state.out ~ '\\$' -%}
        {%- else -%}
            {%- set state.out = state.out ~ ch -%}
        {%- endif -%}
    {%- endfor -%}
    {{ return(spark_string_literal(state.out)) }}
{%- endmacro %}

{#- True when the whole of `expr` matches the RE2 pattern literal (DuckDB's regexp_full_match). -#}
{% macro spark_regex_full_match(expr, pattern_literal) -%}
    ({{ expr }} rlike {{ spark_string_literal('^(?:' ~ spark_java_pattern(spark_literal_text(pattern_literal)) ~ ')\\z') }})
{%- endmacro %}
