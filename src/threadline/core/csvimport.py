"""The kit every CSV importer shares: read hostile files row by row, report, write in batches.

A file staff bring may hold bytes that are not UTF-8, NULs, huge cells or rows the store
refuses.  Each such row is rejected with its line number and a reason; the rest still go in.
Rows are written in batches of ``BATCH``, each in a savepoint: when the store refuses a batch,
its rows are retried one by one so only the bad ones are lost.  A row equal to what is stored
is counted as unchanged and not written, so re-importing a file is cheap and changes nothing.
No domain logic lives here; each domain's importer says what a row means.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TextIO

from sqlalchemy import select
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncSession

from threadline.db import dialect_insert

BATCH = 500
MAX_FIELD = 65_536
# Well above MAX_FIELD, so an oversized cell reaches check_text and costs only its own row
# (past the csv module's limit the reader raises and the rest of the file would be lost).
_READER_LIMIT = 32 * 1024 * 1024

Row = dict[str, Any]
Lined = tuple[int, Row]


@dataclass
class ImportReport:
    """What an import did: rows read, added, updated, unchanged, rejected (line, reason)."""

    read: int = 0
    inserted: int = 0
    updated: int = 0
    unchanged: int = 0
    rejected: list[tuple[int, str]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


class RowError(ValueError):
    """This row cannot be used; the message says why."""


class LayoutError(ValueError):
    """The file (or the column mapping given for it) cannot be imported at all."""


def canon(header: str) -> str:
    """A header's canonical spelling: ``Product ID`` and ``product-id`` are ``product_id``."""
    return header.strip().lower().replace(" ", "_").replace("-", "_")


def open_csv(path: Path) -> TextIO:
    """The file opened for ``csv``: UTF-8 (a BOM is skipped), bad bytes kept for check_text."""
    # surrogateescape keeps a stray non-UTF-8 byte from ending the whole file: the row that
    # holds it is rejected by check_text instead.
    csv.field_size_limit(_READER_LIMIT)
    return path.open(newline="", encoding="utf-8-sig", errors="surrogateescape")


def read_header(path: Path) -> list[str]:
    """The header row (empty names for blank headings, like Myntra's trailing comma)."""
    with open_csv(path) as handle:
        return [h or "" for h in (csv.DictReader(handle).fieldnames or [])]


def read_rows(path: Path) -> Iterator[tuple[int, dict[str, str]]]:
    """Rows with the physical line each ends on (a quoted field may span lines)."""
    with open_csv(path) as handle:
        reader = csv.DictReader(handle)
        for raw in reader:
            yield reader.line_num, raw


def checked_rows(
    path: Path, report: ImportReport, on_progress: Callable[[int], None] | None = None
) -> Iterator[tuple[int, dict[str, str]]]:
    """The rows that pass ``check_text``: each one read is counted, the others rejected.

    A file that breaks off (an unterminated quote, say) ends with a note, not an exception.
    """
    rows = read_rows(path)
    while True:
        try:
            line, raw = next(rows)
        except StopIteration:
            return
        except csv.Error as exc:
            report.notes.append(f"the file cannot be read after row {report.read}: {exc}")
            return
        report.read += 1
        if on_progress:
            on_progress(1)
        try:
            check_text(raw)
        except RowError as exc:
            report.rejected.append((line, str(exc)))
            continue
        yield line, raw


def find_columns(headers: Sequence[str], aliases: Mapping[str, Sequence[str]]) -> dict[str, str]:
    """Target column → the file's header, by the first alias (canonical spelling) present."""
    by_canon = {canon(h): h for h in headers if h and h.strip()}
    found: dict[str, str] = {}
    for target, names in aliases.items():
        for name in names:
            if name in by_canon:
                found[target] = by_canon[name]
                break
    return found


def count_rows(path: Path) -> int:
    """Data rows in the file, for a progress bar's total (0 if the file cannot be read)."""
    with open_csv(path) as handle:
        try:
            return sum(1 for _ in csv.DictReader(handle))
        except csv.Error:
            return 0


def check_text(raw: dict[str, Any]) -> None:
    """Refuse what neither store can keep: bytes that are not UTF-8, NULs, huge fields."""
    for name, value in raw.items():
        if not isinstance(value, str):
            continue  # DictReader's list of surplus fields, or None for missing ones
        if len(value) > MAX_FIELD:
            raise RowError(f"{name} is longer than {MAX_FIELD} characters")
        if "\x00" in value:
            raise RowError(f"{name} contains a NUL character")
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            raise RowError(f"{name} is not valid UTF-8 text") from None


def parse_mapping(value: str, *, targets: Sequence[str]) -> dict[str, str]:
    """A ``--mapping`` given as JSON text or as the path of a JSON file: target → file column."""
    text = value
    if not value.lstrip().startswith("{"):
        try:
            text = Path(value).read_text(encoding="utf-8")
        except OSError as exc:
            raise LayoutError(f"cannot read mapping file {value}: {exc.strerror}") from None
    try:
        mapping = json.loads(text)
    except ValueError:
        raise LayoutError("the mapping is not a JSON object") from None
    if not isinstance(mapping, dict) or not all(
        isinstance(k, str) and isinstance(v, str) for k, v in mapping.items()
    ):
        raise LayoutError('the mapping must be a JSON object like {"sku": "Item Code"}')
    unknown = sorted(set(mapping) - set(targets))
    if unknown:
        raise LayoutError(
            f"the mapping names unknown column(s) {', '.join(unknown)}; known: {', '.join(targets)}"
        )
    return mapping


@dataclass(frozen=True, slots=True)
class Target:
    """Where rows go: the table, its key columns, and the columns whose change is an update."""

    table: Any
    key: tuple[str, ...]
    compared: tuple[str, ...]
    # Set on insert only (created_at); every other column is overwritten on update.
    insert_only: tuple[str, ...] = ()


async def write_batch(
    db: AsyncSession, target: Target, batch: list[Lined], report: ImportReport
) -> int:
    """Insert new rows, update changed ones, skip equal ones; returns rows written."""
    stored = await _stored(db, target, batch)
    pending: list[tuple[int, Row, bool]] = []
    for line, row in batch:
        old = stored.get(tuple(row[k] for k in target.key))
        if old is None:
            pending.append((line, row, True))
        elif any(old[c] != row[c] for c in target.compared):
            pending.append((line, row, False))
        else:
            report.unchanged += 1
    if not pending:
        return 0
    try:
        async with db.begin_nested():
            await db.execute(_upsert(db, target), [row for _, row, _ in pending])
        written = pending
    except DBAPIError:
        # Something in the batch the store refused: find the row(s) one by one, keep the rest.
        written = []
        for line, row, new in pending:
            try:
                async with db.begin_nested():
                    await db.execute(_upsert(db, target), [row])
                written.append((line, row, new))
            except DBAPIError as exc:
                report.rejected.append((line, f"the store refused the row: {exc.orig}"))
    for _, _, new in written:
        if new:
            report.inserted += 1
        else:
            report.updated += 1
    return len(written)


async def _stored(
    db: AsyncSession, target: Target, batch: list[Lined]
) -> dict[tuple[Any, ...], Row]:
    # Narrow by the first key column in SQL, match the whole key here: one query per batch.
    first = target.key[0]
    columns = [target.table.c[name] for name in dict.fromkeys(target.key + target.compared)]
    wanted = {row[first] for _, row in batch}
    result = await db.execute(select(*columns).where(target.table.c[first].in_(wanted)))
    return {tuple(m[k] for k in target.key): dict(m) for m in result.mappings()}


def _upsert(db: AsyncSession, target: Target) -> Any:
    stmt = dialect_insert(db, target.table)
    skip = set(target.key) | set(target.insert_only)
    names = [c.name for c in target.table.columns if c.name not in skip]
    return stmt.on_conflict_do_update(
        index_elements=list(target.key), set_={name: stmt.excluded[name] for name in names}
    )
