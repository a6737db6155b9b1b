"""DuckDB's ``hash()`` of a row of texts and its ``to_json()`` text, in pure Python.

Staging keys every raw row by DuckDB's 64-bit hash of the struct of its raw columns
(``raw_row_hash``, ``raw_row_key``: macro ``raw_rows``), and keeps a quarantined row as the
JSON text DuckDB writes for that struct (``raw_record``). Both reach the marts
(``fct_quarantined_rows``, ``fct_field_issues``), so every engine must give the same values:
PostgreSQL calls these functions (PL/Python, created by ``civcas postgres-setup``). Every raw
column is text, so only texts and nulls are handled. ``tests/python/test_duckdb_hash.py``
checks both against DuckDB on many rows.

DuckDB (src/common/types/hash.cpp, src/common/vector_operations/vector_hash.cpp):

- a text: its UTF-8 bytes read as little-endian 64-bit words, each xor-ed into a seed
  (0xe17a1465 xor length * 0xc6a4a7935bd1e995) and multiplied, the last word zero-padded,
  then mixed (MurmurHash64);
- null: the constant 0xbf58476d1ce4e5b9;
- a struct: the first field's hash, then for each further field ``mix(h) xor hash(field)``
  where ``mix`` is ``h xor (h >> 32)`` multiplied by 0xd6e8feb86659fd93.
"""

from __future__ import annotations

from collections.abc import Sequence

_MASK = (1 << 64) - 1
_MULTIPLIER = 0xD6E8FEB86659FD93
_LENGTH_MULTIPLIER = 0xC6A4A7935BD1E995
_SEED = 0xE17A1465
NULL_HASH = 0xBF58476D1CE4E5B9


def _murmur64(value: int) -> int:
    value ^= value >> 32
    value = (value * _MULTIPLIER) & _MASK
    value ^= value >> 32
    value = (value * _MULTIPLIER) & _MASK
    return value ^ (value >> 32)


def text_hash(text: str | None) -> int:
    """DuckDB's hash() of one varchar value (null included), as an unsigned 64-bit integer."""
    if text is None:
        return NULL_HASH
    data = text.encode("utf-8")
    length = len(data)
    hashed = (_SEED ^ (length * _LENGTH_MULTIPLIER)) & _MASK
    for start in range(0, length, 8):
        hashed ^= int.from_bytes(data[start:start + 8], "little")
        hashed = (hashed * _MULTIPLIER) & _MASK
    return _murmur64(hashed)


def row_hash(values: Sequence[str | None]) -> int:
    """DuckDB's hash() of a struct whose fields are `values` (texts or nulls), in order."""
    if not values:
        raise ValueError("a struct has at least one field")
    hashed = text_hash(values[0])
    for value in values[1:]:
        hashed ^= hashed >> 32
        hashed = ((hashed * _MULTIPLIER) & _MASK) ^ text_hash(value)
    return hashed


_JSON_ESCAPES = {'"': '\\"', "\\": "\\\\", "\b": "\\b", "\f": "\\f", "\n": "\\n", "\r": "\\r", "\t": "\\t"}


def _json_string(text: str) -> str:
    out = []
    for character in text:
        escaped = _JSON_ESCAPES.get(character)
        if escaped is not None:
            out.append(escaped)
        elif ord(character) < 0x20:
            out.append(f"\\u{ord(character):04X}")
        else:
            out.append(character)
    return '"' + "".join(out) + '"'


def row_json(names: Sequence[str], values: Sequence[str | None]) -> str:
    """The text of DuckDB's to_json() of a struct of texts: {"name":"value","other":null}."""
    if len(names) != len(values):
        raise ValueError(f"{len(names)} names for {len(values)} values")
    fields = (f"{_json_string(name)}:{'null' if value is None else _json_string(value)}"
              for name, value in zip(names, values, strict=True))
    return "{" + ",".join(fields) + "}"


def json_with_field_replaced(record: str | None, key: str, value: str | None) -> str | None:
    """DuckDB's json_merge_patch(record, json_object(key, value)) of a raw record (a JSON object of
    texts and nulls) as text: the key removed and appended with the text `value` (null deletes it,
    RFC 7396)."""
    import json

    if record is None:
        return None
    fields = json.loads(record, object_pairs_hook=list)
    kept = [(name, field) for name, field in fields if name != key]
    if value is not None:
        kept.append((key, value))
    return row_json([name for name, _ in kept], [field for _, field in kept])
