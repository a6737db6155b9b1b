{#- Place keys: how a place name as written is reduced to what its spellings share, so that
    transliterations, Arabic script, articles and qualifiers meet. One place for the rules;
    staging computes the keys once, as columns (place_key_columns), and everything else reads
    the columns (linking, the gazetteer look-up).

    The keys of a name (all lower-case ASCII, null when nothing is left):
    * place_match_key: the whole name, Arabic script transliterated (anyascii,
      macros/script_transliterations.sql), diacritics folded, apostrophes dropped, the Arabic
      article removed at word starts (al-, el-, ar-, as-, ash-, at-, ad-, an-, az-, ...,
      "AlBab"; in Arabic script ال), Kafr/Kfar, Tal/Tell, Ain/Ayn, Jabal/Jebel, Khirbat/
      Khirbet written one way, ou/oo/o -> u, e -> i, ay/ai before a consonant -> i, the
      endings -ah/-eh/-e -> -a, doubled letters single, spaces dropped. "Al Bab", "Bab",
      "El-Bab", "AlBab" and "al-Bāb" give "bab"; "Arriha" and "Ariha" "ariha"; "Ma'arret"
      and "Ma'aret" "marit"; "Saraqeb" and "Saraqib" "saraqib".
    * place_core_match_key: the same for the place itself: parenthesised parts, what follows a
      comma or " in ", a second alternative (" or ", "/") and the qualifier words
      (countryside, rural, outskirts, near, vicinity, of, the, village, town, city,
      neighbourhood, district, area, east/west/north/south, ريف, قرية, حي, قرب, ...) removed.
      "Halisa village in the northern countryside of Aleppo" -> "halisa".
    * place_container_match_key: the place the name says it lies in: the parenthesised part
      ("Sukkari (Aleppo)" -> "alipu"), else the part after the last comma, else after " in ",
      else, for an area ("X countryside", "ريف X"), X itself; null when none.
    * place_skeleton_key: the consonant skeleton of the core key (vowels, w and y dropped,
      doubled consonants single). Arabic script writes no short vowels (anyascii reads "الباب"
      as "bb"), so Arabic and Latin spellings of one name meet here: "الباب" and "Al Bab" give
      "b", "اريحا" and "Ariha" "rh", "سراقب" and "Saraqeb" "srqb".
    * place_is_area: the name (its core part) names an area: countryside, rural, governorate,
      province, region, ريف, محافظة, منطقة.

    Regular expressions are RE2 (DuckDB) and run on text whose whitespace is single spaces,
    padded with a space at each end, so that a word is matched as ' word '. DuckDB-only
    functions sit in default__ implementations behind adapter.dispatch. -#}

{#- A select statement: one row per distinct non-null `name_column` of `relation` (as
    place_name) with the key columns above. Each layer nests a few calls (the whole key
    inline would nest about seventy). -#}
{% macro place_key_columns(relation, name_column) -%}
    select
        worded.place_name,
        {{ place_key_from_words('worded.full_words') }} as place_match_key,
        {{ place_key_from_words('worded.core_words') }} as place_core_match_key,
        {{ place_key_from_words('worded.container_words') }} as place_container_match_key,
        {{ place_skeleton('worded.core_words') }} as place_skeleton_key,
        worded.place_is_area
    from (
        select
            ascii_names.place_name,
            {{ place_spelling_words('ascii_names.full_ascii') }} as full_words,
            {{ place_spelling_words('ascii_names.core_ascii') }} as core_words,
            {{ place_spelling_words('ascii_names.container_ascii') }} as container_words,
            ascii_names.place_is_area
        from (
            select
                parts.place_name,
                {{ place_ascii_words('parts.full_text') }} as full_ascii,
                {{ place_ascii_words(place_qualifiers_removed('parts.core_text')) }} as core_ascii,
                {{ place_ascii_words(place_qualifiers_removed('parts.container_text')) }} as container_ascii,
                parts.place_is_area
            from (
                select
                    split_names.place_name,
                    split_names.full_text,
                    split_names.core_text,
                    coalesce(
                        split_names.container_text,
                        case when {{ place_is_area('split_names.core_text') }} then split_names.core_text end
                    ) as container_text,
                    coalesce({{ place_is_area('split_names.core_text') }}, false) as place_is_area
                from (
                    select
                        named.place_name,
                        lower(named.place_name) as full_text,
                        {{ place_core_part('lower(named.place_name)') }} as core_text,
                        {{ place_container_part('lower(named.place_name)') }} as container_text
                    from (
                        select distinct {{ name_column }} as place_name
                        from {{ relation }}
                        where {{ name_column }} is not null
                    ) as named
                ) as split_names
            ) as parts
        ) as ascii_names
    ) as worded
{%- endmacro %}

{#- A regular-expression replacement of every match (RE2 syntax). -#}
{% macro key_regexp_replace(expr, pattern, replacement) -%}
    {{ return(adapter.dispatch('key_regexp_replace', 'civcas')(expr, pattern, replacement)) }}
{%- endmacro %}

{% macro default__key_regexp_replace(expr, pattern, replacement) -%}
    regexp_replace({{ expr }}, {{ pattern }}, {{ replacement }}, 'g')
{%- endmacro %}

{#- The first capture group of a regular expression's first match in a name, '' when none. -#}
{% macro key_regexp_extract(expr, pattern) -%}
    {{ return(adapter.dispatch('key_regexp_extract', 'civcas')(expr, pattern)) }}
{%- endmacro %}

{% macro default__key_regexp_extract(expr, pattern) -%}
    regexp_extract({{ expr }}, {{ pattern }}, 1)
{%- endmacro %}

{#- Accents and other diacritics folded: "Bāb" -> "bab". -#}
{% macro fold_diacritics(expr) -%}
    {{ return(adapter.dispatch('fold_diacritics', 'civcas')(expr)) }}
{%- endmacro %}

{% macro default__fold_diacritics(expr) -%}
    strip_accents({{ expr }})
{%- endmacro %}

{#- A run of one letter written once: "maarret" -> "maret". -#}
{% macro collapse_repeated_letters(expr) -%}
    {{ return(adapter.dispatch('collapse_repeated_letters', 'civcas')(expr)) }}
{%- endmacro %}

{% macro default__collapse_repeated_letters(expr) -%}
    array_to_string(list_filter(
        string_split({{ expr }}, ''),
        (letter, position) -> position = 1 or letter <> string_split({{ expr }}, '')[position - 1]
    ), '')
{%- endmacro %}

{#- The part of a (lower-cased) name that names the place itself: without parenthesised
    parts, what follows a comma or " in ", and a second alternative (" or ", "/", او). -#}
{% macro place_core_part(expr) -%}
    nullif({{ trim_text(key_regexp_replace(
        key_regexp_replace(expr, "'\\([^)]*\\)'", "' '"),
        "'([,،]| in | or | او | أو |/).*$'", "''"
    )) }}, '')
{%- endmacro %}

{#- The part of a (lower-cased) name that names where the place lies: the first parenthesised
    part, else what follows the last comma, else what follows " in "; null when none. -#}
{% macro place_container_part(expr) -%}
    nullif({{ trim_text(
        "coalesce(nullif(" ~ key_regexp_extract(expr, "'\\(([^)]*)\\)'") ~ ", ''), "
        ~ "nullif(" ~ key_regexp_extract(expr, "'[,،]([^,،]*)$'") ~ ", ''), "
        ~ "nullif(" ~ key_regexp_extract(expr, "' in (.*)$'") ~ ", ''))"
    ) }}, '')
{%- endmacro %}

{#- The qualifier words that say where near, around or in a place is, and what kind of place
    it is, dropped (each word is matched with its own spaces, so "outskirts of" goes whole). -#}
{% macro place_qualifiers_removed(expr) -%}
    {{ key_regexp_replace(
        "' ' || replace(" ~ expr ~ ", ' ', '  ') || ' '",
        "' (countryside|counntryside|countryside''s|rural|outskirts|vicinity|near|nearby|around|of|the|in|"
        ~ "village|villages|town|city|neighbourhood|neighborhood|district|area|governorate|province|region|"
        ~ "east|west|north|south|eastern|western|northern|southern|central|"
        ~ "northeast|northwest|southeast|southwest|northeastern|northwestern|southeastern|southwestern|"
        ~ "ريف|قرية|بلدة|مدينة|حي|محيط|أطراف|اطراف|قرب|بالقرب|من|في|شرق|غرب|شمال|جنوب|شرقي|غربي|شمالي|جنوبي|"
        ~ "محافظة|منطقة|ناحية) '",
        "' '"
    ) }}
{%- endmacro %}

{#- The (lower-cased) name names an area, not a place. -#}
{% macro place_is_area(expr) -%}
    {{ return(adapter.dispatch('place_is_area', 'civcas')(expr)) }}
{%- endmacro %}

{% macro default__place_is_area(expr) -%}
    regexp_matches({{ expr }}, '(countryside|counntryside|rural|governorate|province|region|ريف|محافظة|منطقة)')
{%- endmacro %}

{#- Arabic script before it is transliterated: the article ال (with a leading و, ف or ب)
    dropped, also where it is glued to the first word of a name (دير, عين, تل, كفر, جسر, أبو,
    أم, بني, رأس: "ديرالزور"), and a word-final ta marbuta ة (silent, -a in Latin spellings),
    or the ه often written for it ("الرقه", "حماه"). -#}
{% macro arabic_article_removed(expr) -%}
    {{ key_regexp_replace(
        key_regexp_replace(
            key_regexp_replace(expr, "'(^|\\s)(دير|عين|تل|كفر|جسر|ابو|أبو|ام|أم|بني|راس|رأس)ال'", "'\\1\\2 '"),
            "'(^|\\s)[وفب]?ال'", "'\\1'"
        ),
        "'[ةه](\\s|$)'", "'\\1'"
    ) }}
{%- endmacro %}

{#- A name as ASCII words: Arabic article dropped, Arabic script transliterated, diacritics
    folded, apostrophes and ayn/hamza signs written ' (kept until the key is made, so that
    "Arba'in" is two syllables to the vowel rules, not "Arbain"), anything else not a letter
    or digit a space; padded with one space at each end. -#}
{% macro place_ascii_words(expr) -%}
    ' ' || {{ trim_text(key_regexp_replace(
        key_regexp_replace(
            fold_diacritics(script_transliteration(arabic_article_removed(expr))),
            "'[`´‘’ʿʾʻʼ]'", "''''"
        ),
        "'[^a-z0-9'']+'", "' '"
    )) }} || ' '
{%- endmacro %}

{#- ASCII words reduced to what transliterations share (the rules at the top of this file). -#}
{% macro place_spelling_words(expr) -%}
    {{ place_vowels_unified(place_word_classes_unified(place_articles_removed(expr))) }}
{%- endmacro %}

{#- The Arabic article as a word of its own, or glued to a word starting with a consonant
    other than l ("AlBab"). -#}
{% macro place_articles_removed(expr) -%}
    {{ key_regexp_replace(
        key_regexp_replace(
            expr,
            "' (al|el|il|ul|ar|as|ash|at|ath|ad|adh|an|az|er|es|esh|et|ed|en|ez) '", "' '"
        ),
        "' al([bcdfghjkmnpqrstvwxz])'", "' \\1'"
    ) }}
{%- endmacro %}

{#- Words written several ways in place names, written one way. -#}
{% macro place_word_classes_unified(expr) -%}
    {{ key_regexp_replace(key_regexp_replace(key_regexp_replace(key_regexp_replace(key_regexp_replace(
        expr,
        "' (kfar|kafar|kefr|kfr|kafer|kufr)'", "' kafr'"),
        "' (tell|tel|tall|tl) '", "' tal '"),
        "' (ayn|ein|ayin|yn|aain) '", "' ain '"),
        "' (jebel|jebal|jabel|jbl) '", "' jabal '"),
        "' (khirbet|kherbet|kharbat|khirbit|kherbat|khrbt|kharbet) '", "' khirbat '"
    ) }}
{%- endmacro %}

{#- Vowels and a few consonant spellings unified: ch -> sh, dj -> j, the endings -ah/-eh/-e ->
    -a, ou/oo/o -> u, ay/ai before a consonant -> i, e -> i (doubled letters are made single
    with the spaces dropped, place_key_from_words). -#}
{% macro place_vowels_unified(expr) -%}
    {{ key_regexp_replace(key_regexp_replace(key_regexp_replace(key_regexp_replace(
        "replace(replace(" ~ expr ~ ", 'ch', 'sh'), 'dj', 'j')",
        "'(ah|eh|e) '", "'a '"),
        "'ou|oo|o'", "'u'"),
        "'(ay|ai)([^aeiouy])'", "'i\\2'"),
        "'e'", "'i'"
    ) }}
{%- endmacro %}

{#- A key from spelling words (a column): spaces and apostrophes dropped, doubled letters
    single; null when nothing is left. -#}
{% macro place_key_from_words(expr) -%}
    nullif({{ collapse_repeated_letters(key_regexp_replace(expr, "'[ '']'", "''")) }}, '')
{%- endmacro %}

{#- The consonant skeleton of spelling words (a column): vowels, w, y, spaces and
    apostrophes dropped, doubled consonants single. -#}
{% macro place_skeleton(expr) -%}
    nullif({{ collapse_repeated_letters(key_regexp_replace(expr, "'[aeiouwy '']'", "''")) }}, '')
{%- endmacro %}
