"""The data export as a CSV table of plain values, opening cleanly in a spreadsheet."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator, Mapping, Sequence
from typing import Any

Scalar = str | int | float | bool | None


def export_csv(
    records: Mapping[str, Sequence[Mapping[str, Any]]], date_fields: Sequence[str]
) -> str:
    """One line per stored value: its record, the row's date (its first of ``date_fields``),
    the field and the value. Values are plain: text as it is, numbers as numbers, dates as
    ISO, TRUE or FALSE, nothing for none; a list of plain values is joined with "; ", and
    anything nested gets a line per value, its field named by its path (``exercises.1.sets``).
    """
    table = io.StringIO()
    writer = csv.writer(table)
    writer.writerow(["record", "date", "field", "value"])
    for record, rows in records.items():
        for row in rows:
            day = next((row[key] for key in date_fields if row.get(key)), "")
            for field, value in row.items():
                writer.writerows([record, day, name, _cell(v)] for name, v in _flat(field, value))
    return table.getvalue()


def _flat(field: str, value: Any) -> Iterator[tuple[str, Scalar]]:
    """``value`` as (path, plain value) pairs."""
    if isinstance(value, Mapping):
        for key, inner in value.items():
            yield from _flat(f"{field}.{key}", inner)
    elif isinstance(value, list | tuple) and any(isinstance(v, Mapping | list) for v in value):
        for number, inner in enumerate(value, start=1):
            yield from _flat(f"{field}.{number}", inner)
    elif isinstance(value, list | tuple):
        yield field, "; ".join(str(_cell(v)) for v in value)
    else:
        yield field, value


def _cell(value: Scalar) -> str | int | float:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    return value
