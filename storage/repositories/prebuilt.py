"""The statements every chat update runs, executed on SQLite's driver connection.

A Slack status update runs six prebuilt statements (claim the message, identify the sender,
find the action, save it, append its history, count its section for the rollup). On SQLite,
SQLAlchemy's execution of one (execution context, parameter and result set-up, events) cost
20-35 µs against 4-5 µs for the driver's own work, and beside the unit of work's own costs
it was the largest part of the dispatcher's time (bench/slack_latency.py, issue 18; see
docs/benchmarks-notes.md section 5). `Prebuilt` keeps what SQLAlchemy gives these statements
and leaves the rest out:

- the SQL is SQLAlchemy's own, compiled once per set of parameter names for the dialect;
- every value goes through its column type's bind and result processing (dates, UTC
  datetimes, booleans, JSON) as SQLAlchemy does it (`TypeEngine.dialect_impl`);
- the engine's `before_cursor_execute` listeners run (storage.storable_text's clean-up, the
  statement counters of the benches and tests);
- a driver error is raised as SQLAlchemy's (`DBAPIError.instance`, parameters hidden as the
  engine says), with the driver's error as its cause (storage.errors.retry_reason reads it);
- the statement runs on the session's connection, in the unit of work's transaction.

Not kept: SQL echo logging of these statements. PostgreSQL, and a statement whose columns
have Python-side defaults, run through SQLAlchemy as before.
"""

from __future__ import annotations

from collections import namedtuple
from collections.abc import Callable, Iterator, Mapping, Sequence
from typing import Any

from sqlalchemy import Connection, Executable
from sqlalchemy.exc import DBAPIError

Processor = Callable[[Any], Any] | None


class Rows:
    """What callers of `core` read from a result: rows (by position or column name), the
    number of rows changed, and an INSERT's new primary key."""

    __slots__ = ("_rows", "rowcount", "_lastrowid")

    def __init__(self, rows: list[Any], rowcount: int, lastrowid: int | None) -> None:
        self._rows, self.rowcount, self._lastrowid = rows, rowcount, lastrowid

    def first(self) -> Any:
        return self._rows[0] if self._rows else None

    def all(self) -> list[Any]:
        return self._rows

    def __iter__(self) -> Iterator[Any]:
        return iter(self._rows)

    @property
    def inserted_primary_key(self) -> tuple[int | None]:
        return (self._lastrowid,)


class _Compiled:
    """One statement compiled for the driver, for one set of parameter names."""

    def __init__(self, statement: Any, dialect: Any, keys: Sequence[str]) -> None:
        compiled = statement.compile(dialect=dialect, column_keys=list(keys))
        binds = compiled.binds
        # Python-side column defaults and IN lists are filled in by SQLAlchemy at execution.
        self.usable = not (getattr(compiled, "insert_prefetch", None) or getattr(compiled, "update_prefetch", None)
                           or any(bind.expanding for bind in binds.values()))
        self.sql: str = compiled.string
        self.names: tuple[str, ...] = tuple(compiled.positiontup or ())
        self.fixed = {name: bind.effective_value for name, bind in binds.items() if not bind.required}
        self.bind_processors: list[Processor] = [
            binds[name].type.dialect_impl(dialect).bind_processor(dialect) for name in self.names]
        columns = list(statement.exported_columns)
        self.result_processors: list[Processor] = [
            column.type.dialect_impl(dialect).result_processor(dialect, None) for column in columns]
        self.row = namedtuple("row", [column.key or f"c{i}" for i, column in enumerate(columns)],  # type: ignore[misc]
                              rename=True) if columns else None

    def run(self, connection: Connection, params: Mapping[str, Any]) -> Rows:
        values = []
        for name, process in zip(self.names, self.bind_processors):
            value = params[name] if name in params else self.fixed[name]
            values.append(value if process is None else process(value))  # None too, as SQLAlchemy does
        sql: str = self.sql
        parameters: Any = tuple(values)
        dialect = connection.dialect
        driver = connection.connection.driver_connection
        assert driver is not None
        cursor = driver.cursor()
        try:
            for listener in connection.dispatch.before_cursor_execute:  # as Connection does
                sql, parameters = listener(connection, cursor, sql, parameters, None, False)
            cursor.execute(sql, parameters)
            fetched = cursor.fetchall() if self.row is not None else []
        except dialect.loaded_dbapi.Error as exc:
            cursor.close()
            raise DBAPIError.instance(sql, parameters, exc, dialect.loaded_dbapi.Error,
                                      hide_parameters=connection.engine.hide_parameters, dialect=dialect) from exc
        rowcount, lastrowid = cursor.rowcount, cursor.lastrowid
        cursor.close()
        rows = []
        if self.row is not None:
            make, processors = self.row._make, self.result_processors
            for raw in fetched:
                rows.append(make([value if process is None else process(value) for value, process in zip(raw, processors)]))
        return Rows(rows, rowcount, lastrowid)


class Prebuilt:
    """A statement built once at import, run by `storage.repositories.core.core`."""

    def __init__(self, statement: Executable) -> None:
        self.statement = statement
        self._compiled: dict[tuple[str, ...], _Compiled] = {}

    def execute(self, connection: Connection, params: Mapping[str, Any]) -> Any:
        dialect = connection.dialect
        if dialect.name != "sqlite" or dialect.paramstyle != "qmark":
            return connection.execute(self.statement, dict(params) if params else None)
        keys = tuple(params)
        compiled = self._compiled.get(keys)
        if compiled is None:
            compiled = self._compiled[keys] = _Compiled(self.statement, dialect, keys)
        if not compiled.usable:
            return connection.execute(self.statement, dict(params) if params else None)
        return compiled.run(connection, params)
