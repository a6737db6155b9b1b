# civcas: two commands do all the set-up from a fresh clone.
#   make build   creates .venv from requirements.lock, checks the raw files, and runs
#                `dbt build` on the synthetic demo dataset into warehouse/civcas.duckdb
#   make test    runs every check: sqlfluff, dbt build (data tests, unit tests,
#                contracts) and the pytest suite
# After a build, `make release` writes the publication folder (CSV, Parquet, data
# dictionary, charts, docs) into releases/.
SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help

#> PYTHON the Python 3.11 that creates .venv (default python3.11)
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
export DO_NOT_TRACK := 1
export DBT_SEND_ANONYMOUS_USAGE_STATS := false
#> CIVCAS_DUCKDB_PATH the warehouse file dbt builds (default warehouse/civcas.duckdb); its folder is created
export CIVCAS_DUCKDB_PATH ?= warehouse/civcas.duckdb
DBT := $(BIN)/dbt
DBT_FLAGS := --profiles-dir . --project-dir .

.PHONY: help install build test lint demo check-lock check-raw validate-raw lock clean

# `make help` lists every target with a `## ` comment and every variable documented by a `#> NAME
# what it does` line (each just above the variable it documents; tests/python/test_first_hour.py
# checks that every variable a user may set has one).
help: ## list the targets and the variables they read
	@echo "Targets (make <target>):"
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-24s %s\n", $$1, $$2}'
	@echo "Variables (make <target> NAME=value):"
	@grep -E '^#> ' $(MAKEFILE_LIST) | sed -E 's/^#> //' | \
		awk '{name = $$1; sub(/^[^ ]+ +/, ""); printf "  %-22s %s\n", name, $$0}'
	@echo "  A period: make build FROM=2017-01 TO=2017-12 (also build-archive) builds the monthly marts and exports"
	@echo "  of those months only; make release FROM=2017-01 TO=2017-12 releases that build and refuses another."

# The build's period (macros/release_period.sql): FROM=YYYY-MM and TO=YYYY-MM become the dbt vars
# civcas_first_month and civcas_last_month; either may be left out (the defaults of dbt_project.yml).
#> FROM the first month of a build or release, YYYY-MM (civcas_first_month; default 2014-08)
FROM ?=
#> TO the last month of a build or release, YYYY-MM (civcas_last_month; default the latest incident's)
TO ?=
comma := ,
PERIOD_VARS := $(strip $(if $(FROM),civcas_first_month: $(FROM)-01)$(if $(and $(FROM),$(TO)),$(comma) )$(if $(TO),civcas_last_month: $(TO)-01))
.PHONY: check-period

check-period:
	@for month in "$(FROM)" "$(TO)"; do [[ -z "$$month" || "$$month" =~ ^[0-9]{4}-(0[1-9]|1[0-2])$$ ]] || \
		{ echo "make: FROM/TO $$month is not a month; write YYYY-MM, e.g. make build FROM=2017-01 TO=2017-12" >&2; exit 2; }; done

$(STAMP): requirements.lock pyproject.toml
	@command -v $(PYTHON) >/dev/null || { echo "error: $(PYTHON) not found; install Python 3.11" >&2; exit 2; }
	@if ! command -v uv >/dev/null 2>&1 && [ ! -x $(VENV)/bin/uv ]; then \
		echo "==> bootstrapping uv with pip"; \
		$(PYTHON) -m venv $(VENV) && $(BIN)/python -m pip install --disable-pip-version-check uv; \
	fi
	@# uv says what it does, phase by phase (resolved, prepared: downloaded and built, installed,
	@# bytecode compiled), with progress bars on a terminal: no silent minutes.
	@UV=$$(command -v uv || echo $(BIN)/uv); started=$$SECONDS; \
	echo "==> creating $(VENV) from requirements.lock: about 100 packages, 1 to 3 minutes"; \
	[ -x $(BIN)/python ] || $$UV venv --quiet --python $(PYTHON) $(VENV); \
	$$UV pip sync --compile-bytecode --python $(BIN)/python requirements.lock; \
	echo "==> installing civcas itself (editable)"; \
	$$UV pip install --quiet --python $(BIN)/python --no-deps -e .; \
	echo "==> $(VENV) ready in $$((SECONDS - started)) s"
	@touch $(STAMP)

install: $(STAMP) ## create the virtual environment from the lock file

# Seconds, not the minutes of the raw gates: a build file held open by another process stops
# the build before they run (civcas.faults.check_lock).
check-lock: $(STAMP) ## stop when another process holds the build file dbt is about to write
	$(BIN)/civcas check-lock --warehouse $(CIVCAS_DUCKDB_PATH)

check-raw: $(STAMP) ## check the raw files (header, encoding, row shape, quotes, control characters) before dbt reads them
	$(BIN)/civcas check-raw --folder seeds/raw

validate-raw: check-raw ## Great Expectations raw gate: stop when a raw table is unusable as a whole
	$(BIN)/civcas validate-raw --folder seeds/raw

build: check-period check-lock validate-raw ## build the warehouse on the demo dataset (FROM=YYYY-MM TO=YYYY-MM: those months) and publish it for analysts
	@mkdir -p $(dir $(CIVCAS_DUCKDB_PATH))
	@# In full: the demo seeds are edited in place, and the incremental claim chain only takes added rows.
	@# The rows quarantined or flagged so far, to say after the build what it did to the new ones.
	@$(BIN)/civcas build-report --before --warehouse $(CIVCAS_DUCKDB_PATH)
	$(DBT) build $(DBT_FLAGS) --full-refresh $(if $(PERIOD_VARS),--vars '{$(PERIOD_VARS)}')
	@# Reached only when dbt build passed (the shell stops at the first failure).
	$(BIN)/civcas publish --from $(CIVCAS_DUCKDB_PATH) --to $(PUBLISHED_DIR) --run-results target/run_results.json
	@$(BIN)/civcas build-report --warehouse $(CIVCAS_DUCKDB_PATH)
	@echo "==> warehouse built in $(CIVCAS_DUCKDB_PATH); analysts open $(PUBLISHED_DIR)/$(notdir $(CIVCAS_DUCKDB_PATH)) read-only (the internal copy with restricted: $(PUBLISHED_DIR)/internal/, its owner alone)"

# Analysts read the published copy (civcas/publish.py), never the build file dbt writes.
#> PUBLISHED_DIR where make build/publish put the analysts' read-only copy (default warehouse/published)
PUBLISHED_DIR ?= warehouse/published
.PHONY: publish

publish: $(STAMP) ## publish the last build again as the analysts' read-only copy in warehouse/published
	$(BIN)/civcas publish --from $(CIVCAS_DUCKDB_PATH) --to $(PUBLISHED_DIR)

# A release folder (civcas/release.py) of the last build: its warehouse and its target/ artifacts.
# RELEASE_OUT=<folder> chooses the folder, FORCE=1 replaces a previous release there.
#> RELEASE_OUT the folder make release writes (default releases/civcas-<dataset id>-<build date>)
#> FORCE FORCE=1: make release replaces a previous release in that folder
.PHONY: release

release: $(STAMP) check-period ## write a release of the last build into releases/ (FROM=YYYY-MM TO=YYYY-MM: refuse a build of another period)
	$(BIN)/civcas release --warehouse $(CIVCAS_DUCKDB_PATH) --dbt-target target \
		$(if $(RELEASE_OUT),--out $(RELEASE_OUT)) $(if $(FORCE),--force) \
		$(if $(FROM),--from-month $(FROM)) $(if $(TO),--to-month $(TO))

# sqlfluff (.sqlfluff: dialect duckdb, dbt templater) lints the SQL files split over LINT_PROCESSES
# sqlfluff processes at once, every other file to each: each parses the dbt project, renders its
# files and lints them (sqlfluff's own --processes leaves the rendering, half the work, in one
# process). The same files, rules and dialect as one process. One numbered line per file as it is
# done. The templater opens a connection: to memory (CIVCAS_DUCKDB_PATH=:memory:), never to the
# warehouse file.
LINT_PATHS := models tests/singular analyses
#> LINT_PROCESSES the sqlfluff processes the SQL files are split over (default 2; 1 lints in one)
LINT_PROCESSES ?= 2

lint: $(STAMP) ## ruff over the Python package and tests; sqlfluff (dialect duckdb, dbt templater) over the SQL
	$(BIN)/ruff check civcas tests/python
	@files=$$(find $(LINT_PATHS) -name '*.sql' | sort); total=$$(echo "$$files" | wc -w); started=$$SECONDS; \
	echo "==> sqlfluff lint: $$total files split over $(LINT_PROCESSES) processes; each parses the dbt project first"; \
	{ for share in $$(seq 0 $$(($(LINT_PROCESSES) - 1))); do \
		( CIVCAS_DUCKDB_PATH=:memory: PYTHONUNBUFFERED=1 $(BIN)/sqlfluff lint --verbose --disable-progress-bar \
			$$(echo "$$files" | awk -v n=$(LINT_PROCESSES) -v share=$$share 'NR % n == share') \
			|| echo "==> sqlfluff found violations (or failed) in share $$share" ) & \
	done; wait; } | awk -v total=$$total '/^==== sqlfluff ====$$/,/^==== readout ====$$/ { next } \
		/^== \[/ { n++; printf "[%d/%d] %s\n", n, total, $$0; fflush(); next } \
		/^==> sqlfluff found violations/ { failed = 1 } { print; fflush() } END { exit failed }'; \
	echo "==> sqlfluff lint passed in $$((SECONDS - started)) s"

# make test runs two jobs at once (make -j2): lint, and the raw gates, dbt build and pytest. Lint is
# mostly one process of Python rendering and linting while the build waits on DuckDB, so the two
# share the two cores; lint writes only target/sqlfluff (.sqlfluff), never the build's target/.
# pytest starts from a copy of the build made here (conftest.py, CIVCAS_TEST_DEMO_BUILD) instead
# of building the demo again; it runs as two processes (pytest-end-to-end, pytest-rest), each
# listing its slowest tests at the end.
test: $(STAMP) ## run every check: lint beside dbt build (tests, unit tests, contracts) and pytest
	@started=$$SECONDS; $(MAKE) --no-print-directory -j2 lint test-build-pytest; \
	echo "==> make test passed in $$((SECONDS - started)) s"

.PHONY: test-build-pytest

test-build-pytest: check-lock validate-raw
	@mkdir -p $(dir $(CIVCAS_DUCKDB_PATH))
	$(DBT) build $(DBT_FLAGS) --full-refresh
	@# Two pytest processes share the job slots of make test's -j2 (the second starts when lint ends).
	$(MAKE) --no-print-directory pytest-end-to-end pytest-rest
	@# after pytest: the compile writes target/run_results.json, which pytest reads of the build
	$(DBT) compile $(DBT_FLAGS) --select "resource_type:analysis" --quiet

# The end-to-end tests that build the project again in a copy of their own (a researcher's day,
# as of a date, incremental refreshes, intake): about half of pytest's time, one process; the rest
# in another. Each reads the demo build make test has just made (CIVCAS_TEST_DEMO_BUILD).
PYTEST_END_TO_END := tests/python/test_researcher_day.py tests/python/test_as_of.py \
	tests/python/test_incremental.py tests/python/test_intake.py
.PHONY: pytest-end-to-end pytest-rest

pytest-end-to-end:
	CIVCAS_TEST_DEMO_BUILD=$(CIVCAS_DUCKDB_PATH):target $(BIN)/python -m pytest $(PYTEST_END_TO_END) --durations=10

pytest-rest:
	CIVCAS_TEST_DEMO_BUILD=$(CIVCAS_DUCKDB_PATH):target $(BIN)/python -m pytest tests/python \
		$(foreach file,$(PYTEST_END_TO_END),--ignore=$(file)) --durations=20

demo: $(STAMP) ## regenerate the synthetic demo dataset in seeds/raw (byte for byte)
	$(BIN)/civcas generate-demo --out seeds/raw

lock: ## re-pin every dependency into requirements.lock
	uv pip compile pyproject.toml --python-version 3.11 --generate-hashes -o requirements.lock

clean: ## remove the build outputs and the virtual environment
	rm -rf target logs warehouse data/archive data/scale $(VENV)

# ---------------------------------------------------------------------------- the real archive
# The archive is read from beside the checkout and never copied into the repository.
#> ARCHIVE the real Airwars Syria archive, read in place (default ../shared/data/external/airwars-syria-archive)
ARCHIVE ?= ../shared/data/external/airwars-syria-archive
#> CENTCOM the CENTCOM strike releases imported with it, when the folder exists
CENTCOM ?= ../shared/data/external/centcom-oir-strike-releases
#> DUTCH the Dutch strike releases imported with it, when the folder exists
DUTCH ?= ../shared/data/external/dutch-oir-strikes
#> ARCHIVE_RAW where make import-archive writes the archive's Parquet raw files (default data/archive/raw)
ARCHIVE_RAW ?= data/archive/raw
#> ARCHIVE_DUCKDB the real warehouse make build-archive writes (default warehouse/archive.duckdb)
ARCHIVE_DUCKDB ?= warehouse/archive.duckdb
# A second monitor (README, "A second monitor: UCDP GED"): the UCDP GED file, read where it lies
# at build time (var civcas_ucdp_path), never copied. Absent, the UCDP models build empty.
#> UCDP the UCDP GED events file for the second-monitor comparison (make build-archive; default beside the checkout)
UCDP ?= ../shared/data/external/ucdp-ged-syria/ged_syria.csv
UCDP_VARS := $(if $(wildcard $(UCDP)),$(comma) civcas_ucdp_path: "$(UCDP)")

.PHONY: import-archive build-archive check-lock-archive

import-archive: $(STAMP) ## import ARCHIVE (+ CENTCOM, DUTCH strike releases) into Parquet raw files
	$(BIN)/civcas import-archive --archive $(ARCHIVE) \
		$(if $(wildcard $(CENTCOM)),--centcom $(CENTCOM)) \
		$(if $(wildcard $(DUTCH)),--dutch $(DUTCH)) \
		--out $(ARCHIVE_RAW)

check-lock-archive: $(STAMP)
	$(BIN)/civcas check-lock --warehouse $(ARCHIVE_DUCKDB)

build-archive: check-period check-lock-archive import-archive ## build the real warehouse from ARCHIVE into warehouse/archive.duckdb (FROM=YYYY-MM TO=YYYY-MM: those months)
	$(BIN)/civcas check-raw --mode files --folder $(ARCHIVE_RAW)
	$(BIN)/civcas validate-raw --mode files --folder $(ARCHIVE_RAW)
	@mkdir -p $(dir $(ARCHIVE_DUCKDB))
	CIVCAS_DUCKDB_PATH=$(ARCHIVE_DUCKDB) $(DBT) build $(DBT_FLAGS) --full-refresh \
		--vars '{civcas_raw_source: files, civcas_raw_path: "$(ARCHIVE_RAW)"$(UCDP_VARS)$(if $(PERIOD_VARS),$(comma) $(PERIOD_VARS))}' \
		--exclude-resource-type unit_test
	$(BIN)/civcas publish --from $(ARCHIVE_DUCKDB) --to $(PUBLISHED_DIR) --run-results target/run_results.json
	@echo "==> real warehouse written to $(ARCHIVE_DUCKDB); analysts open $(PUBLISHED_DIR)/$(notdir $(ARCHIVE_DUCKDB)) read-only (the internal copy with restricted: $(PUBLISHED_DIR)/internal/, its owner alone)"

# ---------------------------------------------------------------------------- data at scale
# N synthetic claims in the demo's shape (issue 6), written as Parquet and built like the
# archive (files mode). The data is made once per N; `make generate-scale` remakes it.
#> N claims of synthetic data for generate-scale and build-scale (default 1000000, up to 10000000)
N ?= 1000000
#> SCALE_RAW where the N claims are written (default data/scale/N/raw)
SCALE_RAW ?= data/scale/$(N)/raw
#> SCALE_DUCKDB the warehouse make build-scale writes (default warehouse/scale.duckdb)
SCALE_DUCKDB ?= warehouse/scale.duckdb

.PHONY: generate-scale build-scale

generate-scale: $(STAMP) ## write N synthetic claims (default 1000000, up to 10000000) as Parquet into data/scale/N/raw
	$(BIN)/civcas generate-scale --claims $(N) --out $(SCALE_RAW)

$(SCALE_RAW)/_scale_manifest.json: | $(STAMP)
	$(BIN)/civcas generate-scale --claims $(N) --out $(SCALE_RAW)

build-scale: $(SCALE_RAW)/_scale_manifest.json ## build the N-claim data into warehouse/scale.duckdb (generating it first if missing)
	@mkdir -p $(dir $(SCALE_DUCKDB))
	CIVCAS_DUCKDB_PATH=$(SCALE_DUCKDB) $(DBT) build $(DBT_FLAGS) --full-refresh \
		--vars '{civcas_raw_source: files, civcas_raw_path: "$(SCALE_RAW)"}' \
		--exclude-resource-type unit_test
	@echo "==> scale warehouse ($(N) claims) written to $(SCALE_DUCKDB)"

# ---------------------------------------------------------------------------- benchmark
# civcas benchmark (issue 6): per size, a full build and a one-day incremental refresh (wall
# time, peak RSS, slowest nodes) against the same SQL in DuckDB alone; the data is made once per
# size in data/scale/<N>/raw. Writes reports/benchmark.txt and reports/benchmark.json.
#> SIZES the sizes make benchmark times (default 100k,1m,10m)
SIZES ?= 100k,1m,10m

.PHONY: benchmark

.PHONY: train-linking

train-linking: $(STAMP) ## retrain the linkage model on simulated realistic intake (seed 5; the evaluation scores seed 4)
	$(BIN)/civcas evaluate-linking --levels realistic --seed 5 --simulations data/training \
		--warehouses warehouse/training --report reports/linking_training
	$(BIN)/civcas train-linking

benchmark: $(STAMP) ## time full and incremental builds against the DuckDB floor at SIZES (default 100k,1m,10m)
	$(BIN)/civcas benchmark --sizes $(SIZES)

# civcas benchmark-engines (issue 15): one full build per engine and size (the demo, N claims),
# measured: wall and CPU seconds (client and server/JVM), peak memory, rows of claims, passed or
# not; PostgreSQL's raw load apart. Writes reports/benchmark-engines.md and .json. Slow (tens of
# minutes at 1M): never part of make test or CI. BENCH_DATA=<dir> reuses generated data
# (<dir>/<N>/raw or <dir>/<N>); BENCH_TIMEOUT stops a build after that many seconds.
#> ENGINE_SIZES the sizes make benchmark-engines builds (default demo,1m)
ENGINE_SIZES ?= demo,1m
#> ENGINES the engines make benchmark-engines builds on (default duckdb,postgres,spark)
ENGINES ?= duckdb,postgres,spark
#> PG_BENCH_DATABASE the PostgreSQL database of make benchmark-engines (default civcas_bench)
PG_BENCH_DATABASE ?= civcas_bench
#> BENCH_DATA a folder of generated data make benchmark-engines reuses (<dir>/<N>/raw or <dir>/<N>)
#> BENCH_TIMEOUT seconds after which make benchmark-engines stops a build (default 2700)
BENCH_TIMEOUT ?= 2700

.PHONY: benchmark-engines

benchmark-engines: $(STAMP) ## one full build per engine (ENGINES) and size (ENGINE_SIZES, default demo,1m): time, CPU, memory
	$(BIN)/civcas benchmark-engines --sizes $(ENGINE_SIZES) --engines $(ENGINES) --database $(PG_BENCH_DATABASE) \
		--timeout $(BENCH_TIMEOUT) $(if $(BENCH_DATA),--data-dir $(BENCH_DATA))

# ---------------------------------------------------------------------------- PostgreSQL (issue 15)
# The team server. The profile's postgres target reads CIVCAS_PG_HOST, CIVCAS_PG_PORT,
# CIVCAS_PG_USER, CIVCAS_PG_PASSWORD and CIVCAS_PG_DATABASE; passwords the setup generates are in
# warehouse/postgres/pgpass (git-ignored), which libpq reads through PGPASSFILE.
#> PGPASSFILE the passwords file libpq reads (default warehouse/postgres/pgpass, written by postgres-setup)
export PGPASSFILE ?= $(CURDIR)/warehouse/postgres/pgpass
PG_DBT_FLAGS := $(DBT_FLAGS) --target postgres --target-path target/postgres
#> PG_ARCHIVE_DATABASE the PostgreSQL database of make build-archive-postgres (default civcas_archive)
PG_ARCHIVE_DATABASE ?= civcas_archive

.PHONY: postgres-setup build-postgres test-postgres build-archive-postgres

postgres-setup: $(STAMP) ## start or reuse a local PostgreSQL 15, create the database, roles and functions
	$(BIN)/civcas postgres-setup

# Unit tests stay on DuckDB (make test): their fixtures are written in DuckDB's types.
build-postgres: postgres-setup validate-raw ## build the demo on PostgreSQL (the team server, with roles)
	$(DBT) build $(PG_DBT_FLAGS) --full-refresh --exclude-resource-type unit_test

# The comparison builds the demo on DuckDB too, into a file of its own (the build file is left alone).
#> PG_COMPARE_DUCKDB the DuckDB file make test-postgres compares PostgreSQL with (default warehouse/postgres/compare.duckdb)
PG_COMPARE_DUCKDB ?= warehouse/postgres/compare.duckdb

test-postgres: build-postgres ## build the demo on PostgreSQL; the role test and PostgreSQL equal to DuckDB, row for row
	CIVCAS_DUCKDB_PATH=$(PG_COMPARE_DUCKDB) $(DBT) build $(DBT_FLAGS) --full-refresh --target-path target/compare \
		--exclude-resource-type unit_test --exclude-resource-type test --quiet
	CIVCAS_REQUIRE_POSTGRES=1 CIVCAS_DUCKDB_PATH=$(PG_COMPARE_DUCKDB) $(BIN)/python -m pytest tests/python/test_postgres.py

build-archive-postgres: import-archive ## build the real archive on PostgreSQL (database civcas_archive) and compare it with DuckDB's
	$(BIN)/civcas postgres-setup --database $(PG_ARCHIVE_DATABASE)
	$(BIN)/civcas postgres-load-raw --database $(PG_ARCHIVE_DATABASE) --folder $(ARCHIVE_RAW) \
		$(if $(wildcard $(UCDP)),--ucdp $(UCDP))
	CIVCAS_PG_DATABASE=$(PG_ARCHIVE_DATABASE) $(DBT) build $(PG_DBT_FLAGS) --full-refresh \
		--vars '{civcas_raw_source: files, civcas_raw_path: "$(ARCHIVE_RAW)"$(UCDP_VARS)}' \
		--exclude-resource-type unit_test
	@[ -f $(ARCHIVE_DUCKDB) ] || $(MAKE) --no-print-directory build-archive
	CIVCAS_REQUIRE_POSTGRES_ARCHIVE=1 CIVCAS_PG_ARCHIVE_DATABASE=$(PG_ARCHIVE_DATABASE) CIVCAS_ARCHIVE_DUCKDB=$(ARCHIVE_DUCKDB) \
		$(BIN)/python -m pytest -s tests/python/test_postgres.py -k archive

# ---------------------------------------------------------------------------- Spark (issue 15)
# The distributed engine, here a local Spark in dbt's own process (profiles.yml, target spark,
# method session): `civcas spark-dbt` starts the session and registers civcas's functions, then
# runs dbt. Each build has its folder (tables and metastore), CIVCAS_SPARK_DIR. The comparison
# builds the same input on DuckDB into a file of its own and fails on any difference.
#> SPARK_DIR the folder of the Spark builds: tables and metastore (default warehouse/spark)
SPARK_DIR ?= warehouse/spark
SPARK_DBT_FLAGS := --full-refresh --exclude-resource-type unit_test --target-path target/spark
#> SPARK_COMPARE_DUCKDB the DuckDB file the Spark demo is compared with (default SPARK_DIR/compare.duckdb)
SPARK_COMPARE_DUCKDB ?= $(SPARK_DIR)/compare.duckdb

.PHONY: build-spark build-spark-demo build-spark-archive

build-spark: build-spark-demo build-spark-archive ## build the demo and the real archive on a local Spark; both equal to DuckDB

build-spark-demo: validate-raw ## build the demo on a local Spark; every mart and export equal to DuckDB's, row for row
	rm -rf $(SPARK_DIR)/demo
	CIVCAS_SPARK_DIR=$(SPARK_DIR)/demo $(BIN)/civcas spark-dbt build $(SPARK_DBT_FLAGS)
	CIVCAS_DUCKDB_PATH=$(SPARK_COMPARE_DUCKDB) $(DBT) build $(DBT_FLAGS) --full-refresh --target-path target/compare-spark \
		--exclude-resource-type unit_test --exclude-resource-type test --quiet
	$(BIN)/civcas compare-spark --duckdb $(SPARK_COMPARE_DUCKDB) --spark-dir $(SPARK_DIR)/demo/tables

build-spark-archive: import-archive ## build the real archive on a local Spark; every mart and export (monthly_coalition_vs_russia among them) equal to DuckDB's
	rm -rf $(SPARK_DIR)/archive
	CIVCAS_SPARK_DIR=$(SPARK_DIR)/archive $(BIN)/civcas spark-dbt build $(SPARK_DBT_FLAGS) \
		--vars '{civcas_raw_source: files, civcas_raw_path: "$(ARCHIVE_RAW)"$(UCDP_VARS)}'
	CIVCAS_DUCKDB_PATH=$(SPARK_DIR)/archive.duckdb $(DBT) build $(DBT_FLAGS) --full-refresh --target-path target/compare-spark \
		--vars '{civcas_raw_source: files, civcas_raw_path: "$(ARCHIVE_RAW)"$(UCDP_VARS)}' \
		--exclude-resource-type unit_test --exclude-resource-type test --quiet
	$(BIN)/civcas compare-spark --duckdb $(SPARK_DIR)/archive.duckdb --spark-dir $(SPARK_DIR)/archive/tables

# "As known on date X" (macros/as_of.sql): the demo as it stood at the end of day AS_OF, in its
# own file; `make release CIVCAS_DUCKDB_PATH=warehouse/as-of-<AS_OF>.duckdb` releases it.
.PHONY: build-as-of
#> AS_OF the day make build-as-of builds as known at its end (YYYY-MM-DD; required there)
AS_OF ?=

build-as-of: $(STAMP) validate-raw ## build the demo as known at the end of day AS_OF (YYYY-MM-DD) into warehouse/as-of-AS_OF.duckdb
	@test -n "$(AS_OF)" || { echo "make build-as-of: give the day, e.g. make build-as-of AS_OF=2017-04-30" >&2; exit 2; }
	@mkdir -p warehouse
	$(BIN)/civcas check-lock --warehouse warehouse/as-of-$(AS_OF).duckdb
	CIVCAS_DUCKDB_PATH=warehouse/as-of-$(AS_OF).duckdb $(DBT) build $(DBT_FLAGS) --full-refresh \
		--vars "{civcas_as_of: '$(AS_OF)'}"
	@echo "==> built as known on $(AS_OF): warehouse/as-of-$(AS_OF).duckdb; release it with make release CIVCAS_DUCKDB_PATH=warehouse/as-of-$(AS_OF).duckdb"
