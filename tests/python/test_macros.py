"""Every project macro is used: a macro nothing calls is a second definition of a rule that
nobody maintains (one rule, one place)."""

from __future__ import annotations

import re

from conftest import PROJECT_DIR

# Macros dbt itself calls by name.
CALLED_BY_DBT = {"generate_schema_name"}
MACRO = re.compile(r"{%-?\s*macro\s+(\w+)\s*\((.*?){%-?\s*endmacro\s*-?%}", re.DOTALL)


def _project_texts() -> list[str]:
    folders = ["models", "macros", "tests", "analyses", "snapshots", "seeds"]
    texts = [(PROJECT_DIR / "dbt_project.yml").read_text(encoding="utf-8")]
    for folder in folders:
        for path in sorted((PROJECT_DIR / folder).rglob("*")):
            if path.is_file() and path.suffix in {".sql", ".yml", ".md"}:
                texts.append(path.read_text(encoding="utf-8"))
    return texts


DISPATCH_IMPLEMENTATIONS = ("default__", "duckdb__", "postgres__", "spark__")


def unused_macros(texts: list[str]) -> list[str]:
    """Macros (not dispatch implementations, generic tests or dbt hooks) that no text calls
    outside their own definition."""
    defined = [name for text in texts for name, _ in MACRO.findall(text)]
    without_definitions = "\n".join(MACRO.sub(lambda m: "", text) for text in texts)
    unused = []
    for name in defined:
        # an engine's implementation (default__, postgres__, spark__) is called by adapter.dispatch
        if name.startswith(DISPATCH_IMPLEMENTATIONS + ("test_",)) or name in CALLED_BY_DBT:
            continue
        called = re.compile(rf"\b{name}\b")
        # a call from another macro's body counts; the macro's own dispatch string does not
        other_bodies = "\n".join(body for text in texts for other, body in MACRO.findall(text) if other != name
                                 and other != f"default__{name}")
        if not called.search(without_definitions) and not called.search(other_bodies):
            unused.append(name)
    return sorted(unused)


def test_every_macro_is_used():
    assert unused_macros(_project_texts()) == []


def test_an_unused_macro_is_found():
    texts = ["{% macro used() -%}1{%- endmacro %}\n{% macro unused() -%}"
             "{{ return(adapter.dispatch('unused', 'civcas')()) }}{%- endmacro %}",
             "select {{ used() }}"]
    assert unused_macros(texts) == ["unused"]
