{#- The daily incremental refresh of the claim chain (stg_monitor__claims, int_claims_validated,
    int_claims_linked, int_claim_pairs_matched, int_candidate_incidents_grouped).

    Raw claims only grow: a day adds rows (civcas/increments.py). Each model of the chain keeps
    the time of the run that last computed a row (staged_at, validated_at, refreshed_at: the
    run's start, the same for every model of one `dbt build`). A model recomputes only what
    the claims validated since its own last refresh can change, so a run that failed half-way
    is caught up by the next one.

    Everything is recomputed (as with --full-refresh) when the inputs the whole chain reads
    change: the reference seeds, the registers (sources, incidents, their belligerents) or
    the linking vars. Their fingerprint is kept on every staged row. Edited or deleted raw
    claims stop the run with a message: they need `dbt build --full-refresh`. -#}

{#- The start of this dbt invocation, as a timestamp literal. -#}
{% macro refresh_timestamp() -%}
    cast('{{ run_started_at.strftime("%Y-%m-%d %H:%M:%S.%f") }}' as timestamp)
{%- endmacro %}

{#- The latest refresh recorded in this model's rows (the beginning of time when it has none or
    is built in full), as a literal read before the run touches the model: a pre-hook that
    deletes the rows to recompute must not move the mark the model's query then reads. -#}
{% macro refresh_watermark(column) -%}
    {%- set watermark = '0001-01-01 00:00:00' -%}
    {%- if execute and is_incremental() -%}
        {%- set found = run_query('select cast(max(' ~ column ~ ') as varchar) from ' ~ this) -%}
        {%- if found.columns[0].values()[0] is not none -%}
            {%- set watermark = found.columns[0].values()[0] -%}
        {%- endif -%}
    {%- endif -%}
    cast('{{ watermark }}' as timestamp)
{%- endmacro %}

{#- Stop the query with a message (a runtime error that names what to do). -#}
{% macro fail_query(message_expr) -%}
    {{ return(adapter.dispatch('fail_query', 'civcas')(message_expr)) }}
{%- endmacro %}

{% macro default__fail_query(message_expr) -%}
    error({{ message_expr }})
{%- endmacro %}

{#- An order-independent fingerprint of a relation's rows: row count and the sum of row hashes. -#}
{% macro relation_fingerprint(relation) -%}
    {{ return(adapter.dispatch('relation_fingerprint', 'civcas')(relation)) }}
{%- endmacro %}

{% macro default__relation_fingerprint(relation) -%}
    (select cast(count(*) as varchar) || ':' || coalesce(cast(sum(hash(fingerprinted)) as varchar), '') from {{ relation }} as fingerprinted)
{%- endmacro %}

{#- The fingerprint of everything the claim chain reads besides the raw claims. -#}
{% macro claim_chain_inputs_fingerprint() -%}
    {%- set inputs = [
        ref('ref_belligerent_aliases'), ref('ref_belligerent_keywords'), ref('ref_belligerents'),
        ref('ref_code_aliases'), ref('ref_countries'),
        ref('ref_geo_precisions'), ref('ref_governorate_aliases'), ref('ref_governorates'), ref('ref_grades'),
        ref('ref_month_names'), ref('ref_place_aliases'), ref('ref_places'), ref('ref_source_aliases'),
        ref('ref_source_types'), ref('ref_strike_statuses'), ref('ref_verdicts'), ref('ref_linking_levels'),
        ref('ref_co_belligerents'),
        raw_relation('raw_sources'), raw_relation('raw_incidents'), raw_relation('raw_incident_belligerents'),
    ] -%}
    {%- set linking_vars = [
        'civcas_earliest_plausible_date', 'civcas_link_day_slip_share',
        'civcas_link_match_probability', 'civcas_link_days_before', 'civcas_link_days_after',
        'civcas_link_cell_km',
        'civcas_date_tolerance_days', 'civcas_as_of_date', 'civcas_as_of',
    ] -%}
    md5(
        '{% for name in linking_vars %}{{ name }}={{ var(name) }};{% endfor %}'
        {%- for relation in inputs %}
        || '|' || {{ relation_fingerprint(relation) }}
        {%- endfor %}
    )
{%- endmacro %}

{#- The ids of the claims validated since this model's last refresh: the claims whose own
    rows, links, pairs or candidates may have changed (new claims, and old rows of their ids). -#}
{% macro claim_ids_validated_since_refresh() -%}
    select distinct claim_id from {{ ref('int_claims_validated') }}
    where claim_id is not null and validated_at > {{ refresh_watermark('refreshed_at') }}
{%- endmacro %}

{#- A condition on a claim id column: in an incremental run, that the claim was validated since
    the model's last refresh; in a full run, true. -#}
{% macro is_claim_validated_since_refresh(claim_id_column) -%}
    {%- if is_incremental() -%}
    {{ claim_id_column }} in ({{ claim_ids_validated_since_refresh() }})
    {%- else -%}
    true
    {%- endif -%}
{%- endmacro %}

{#- Pre-hook of a claim-keyed model of the chain: delete the rows of the claims validated
    since its last refresh (recomputed by the run; a claim now quarantined stays deleted). -#}
{% macro delete_claims_validated_since_refresh(claim_id_columns=['claim_id']) -%}
    {%- if is_incremental() -%}
    delete from {{ this }}
    where
        {%- for column in claim_id_columns %}
        {{ 'or ' if not loop.first }}{{ column }} in ({{ claim_ids_validated_since_refresh() }})
        {%- endfor %}
    {%- else -%}
    select 1 as nothing_to_delete
    {%- endif -%}
{%- endmacro %}

{#- Candidate incidents (int_candidate_incidents_grouped) are local in time: a claim's candidate
    depends only on the unmatched claims within 4 pair gaps (link_pair_max_day_gap) of its date (its day group,
    the groups a window away it may join or that may join it, and whether those join others).
    An incremental run therefore recomputes the claims within 4 gaps of a refreshed claim's
    date (the output days), from the claims within 8 gaps (the input days). -#}
{% macro candidate_refresh_days(windows) -%}
    {%- set radius = windows * (link_pair_max_day_gap() | int) -%}
    select distinct
        {{ day_series(
            dbt.dateadd('day', -radius, 'refreshed.incident_date'),
            dbt.dateadd('day', radius, 'refreshed.incident_date')
        ) }} as incident_date
    from {{ ref('int_claims_validated') }} as refreshed
    where refreshed.incident_date is not null and refreshed.validated_at > {{ refresh_watermark('refreshed_at') }}
{%- endmacro %}

{#- Pre-hook of int_candidate_incidents_grouped: delete the claims its run recomputes. -#}
{% macro delete_candidate_refresh_days() -%}
    {%- if is_incremental() -%}
    delete from {{ this }}
    where
        claim_id in ({{ claim_ids_validated_since_refresh() }})
        or incident_date in ({{ candidate_refresh_days(4) }})
    {%- else -%}
    select 1 as nothing_to_delete
    {%- endif -%}
{%- endmacro %}

{#- The raw files of table `name` that an incremental run of a staging model reads: in files
    mode, the files not staged before (a day adds <table>.<YYYY-MM-DD>.parquet beside the base,
    civcas/increments.py), so a refresh never reads or hashes the history again. None means
    every row: a full run, the demo's seeds (one file, edited in place), or inputs that changed
    (`restage_all`, an SQL condition). Files are immutable once staged: a staged file that is
    gone or whose row count changed stops the run with a message. -#}
{% macro raw_files_to_stage(name, restage_all) -%}
    {%- if not (execute and is_incremental() and var('civcas_raw_source', 'seeds') == 'files') -%}
        {{ return(none) }}
    {%- endif -%}
    {%- if run_query('select ' ~ restage_all).columns[0].values()[0] -%}
        {{ return(none) }}
    {%- endif -%}
    {%- set folder = var('civcas_raw_path', 'data/archive/raw') -%}
    {%- set on_disk = {} -%}
    {%- set listed = run_query(
        "select parse_filename(file_name), num_rows from parquet_file_metadata('"
        ~ folder ~ "/" ~ name ~ ".*parquet')") -%}
    {%- for row in listed.rows -%}
        {%- do on_disk.update({row[0]: row[1]}) -%}
    {%- endfor -%}
    {%- set staged = run_query('select raw_file, count(*) from ' ~ this ~ ' group by raw_file order by raw_file') -%}
    {%- for raw_file, rows in staged.rows -%}
        {%- if on_disk.get(raw_file) != rows -%}
            {{ exceptions.raise_compiler_error(
                name ~ ": " ~ rows ~ " staged rows of " ~ folder ~ "/" ~ raw_file ~ " are no longer in the raw "
                ~ "files (the file is gone or holds " ~ on_disk.get(raw_file, 0) ~ " rows); staged files are "
                ~ "never edited, and an incremental refresh only adds files: run dbt build --full-refresh") }}
        {%- endif -%}
        {%- do on_disk.pop(raw_file) -%}
    {%- endfor -%}
    {{ return(on_disk.keys() | sort) }}
{%- endmacro %}
