"""Record numbers: prefix + zero-padded digits, increasing per prefix, gaps allowed (docs/platform.md).

On PostgreSQL each prefix draws from a sequence of its own (``sequence_name(prefix)``), made
with the prefix's counter row by a trigger on ``sys_number_counter`` (core migration 0014, and
on demand for a new prefix). ``nextval`` takes no lock that lasts: two transactions creating
records of one table draw their numbers without waiting on each other, and a number is never
handed out twice. A number drawn by a transaction that later rolls back is a gap, as on the
platform. The counter row keeps the prefix's digits and is how staff move a counter: raising
``next_value`` moves the sequence forward (never back); it does not follow the draws.

On SQLite (one writer at a time anyway) the counter row is advanced with one
``UPDATE ... RETURNING`` statement; a number drawn by a transaction that rolls back may be
drawn again, and duplicates are never possible.

A long transaction (a bulk load) must not hold the SQLite-style counter row for its whole
length. ``reserve_numbers(..., apart=True)`` is kept for callers that ask for it: on
PostgreSQL a sequence is already apart (drawn outside any transaction's locks), so only a
prefix's first use, which creates its counter row, is done on a second connection.
"""

from collections.abc import Iterable

from django.db import DatabaseError, IntegrityError, connection, connections, transaction
from django.db.models import F
from django.db.models.functions import Greatest

from csm_project.core.models import NumberCounter

# A second connection drawing apart waits at most this long for the counter row (held only by
# short inserts) before the draw is made in the caller's own transaction after all.
_APART_LOCK_TIMEOUT = "5s"


def next_number(prefix: str, *, table: str = "") -> str:
    """Draw the next number for ``prefix`` (e.g. ``LEAD0000001``)."""
    return reserve_numbers(prefix, 1, table=table)[0]


def reserve_numbers(prefix: str, count: int, *, table: str = "", apart: bool = False) -> list[str]:
    """Draw a block of ``count`` consecutive numbers with one statement (bulk loads): unique
    and increasing under concurrency like single draws, since a block is one advance of the
    counter row under its lock.

    ``apart``: on PostgreSQL, draw in a transaction of its own (see the module docstring),
    unless the current transaction already holds this counter (it drew from it before), where a
    second connection would only wait for the caller itself.
    """
    if count < 1:
        return []
    if connection.vendor == "postgresql":
        return _from_sequence(prefix, count, table=table, apart=apart)
    if apart and _can_draw_apart(prefix):
        row = _apart(_UPSERT_ADVANCE, [prefix, table, count + 1, count, count])
        if row is not None:
            return _numbers(prefix, *row, count)
    # One statement, atomic by itself: no savepoint on the hot path (only a counter's first
    # use opens one, to survive a concurrent creation of the same counter).
    row = _advance(prefix, count)
    if row is None:
        _create_counter(prefix, table)
        row = _advance(prefix, count)
    return _numbers(prefix, *row, count)


def advance_past(prefix: str, numbers: Iterable[str], *, table: str = "", apart: bool = False) -> None:
    """Move the counter of ``prefix`` past ``numbers`` stored as given (a bulk load keeping an
    export's numbers), so later draws never meet them. Numbers of another form are left alone.
    ``apart`` as for ``reserve_numbers``."""
    digits = [number[len(prefix) :] for number in numbers if number.startswith(prefix)]
    values = [int(text) for text in digits if text.isdigit()]
    if not values:
        return
    target = max(values) + 1
    if apart and _can_draw_apart(prefix) and _apart(_UPSERT_PAST, [prefix, table, target]) is not None:
        return
    counter = NumberCounter.objects.filter(prefix=prefix)
    if not counter.update(next_value=Greatest(F("next_value"), target)):
        _create_counter(prefix, table)
        counter.update(next_value=Greatest(F("next_value"), target))
    _mark_held(prefix)


def sequence_name(prefix: str) -> str:
    """The quoted name of ``prefix``'s number sequence on PostgreSQL (the trigger of migration
    0014 creates it under the same name: ``format('%I', 'sys_number_' || prefix)``)."""
    name = "sys_number_" + prefix
    return '"' + name.replace('"', '""') + '"'


# One statement per draw: the counter row is only read (its digits), the sequence advanced. A
# block is drawn by one statement too; its numbers are increasing, consecutive unless another
# transaction draws at the same moment.
_DRAW_ONE = f"SELECT nextval(to_regclass(%s)), digits FROM {NumberCounter._meta.db_table} WHERE prefix = %s"  # noqa: S608
_DRAW_BLOCK = (
    f"SELECT ARRAY(SELECT nextval(to_regclass(%s)) FROM generate_series(1, %s)), digits "  # noqa: S608
    f"FROM {NumberCounter._meta.db_table} WHERE prefix = %s"
)


def _from_sequence(prefix: str, count: int, *, table: str, apart: bool) -> list[str]:
    for _attempt in range(2):
        with connection.cursor() as cursor:
            if count == 1:
                cursor.execute(_DRAW_ONE, [sequence_name(prefix), prefix])
            else:
                cursor.execute(_DRAW_BLOCK, [sequence_name(prefix), count, prefix])
            row = cursor.fetchone()
        if row is not None and row[0] is not None and row[0] != [None] * count:
            values, digits = ([row[0]] if count == 1 else sorted(row[0])), row[1]
            return [f"{prefix}{value:0{digits}d}" for value in values]
        # First use of the prefix: its counter row (and with it the sequence) is made.
        if apart and connection.in_atomic_block and _apart(_UPSERT_CREATE, [prefix, table]) is not None:
            continue
        _create_counter(prefix, table)
    raise DatabaseError(f"no number sequence for {prefix!r}")  # pragma: no cover - the trigger makes it


def _numbers(prefix: str, first: int, digits: int, count: int) -> list[str]:
    return [f"{prefix}{value:0{digits}d}" for value in range(first, first + count)]


def _advance(prefix: str, count: int) -> tuple[int, int] | None:
    db_table = connection.ops.quote_name(NumberCounter._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {db_table} SET next_value = next_value + %s WHERE prefix = %s "  # noqa: S608 - table name is ours
            "RETURNING next_value - %s, digits",
            [count, prefix, count],
        )
        row = cursor.fetchone()
    if row is not None:
        _mark_held(prefix)
    return row


def _create_counter(prefix: str, table: str) -> None:
    try:
        with transaction.atomic():
            NumberCounter.objects.create(prefix=prefix, table=table)
    except IntegrityError:
        pass  # another transaction created it first; advancing it is now safe


# --- drawing apart (PostgreSQL) ------------------------------------------------------------------

_COUNTER = NumberCounter._meta.db_table
_DEFAULT_DIGITS = NumberCounter._meta.get_field("digits").default
# Create-or-advance in one statement: the second connection needs no savepoint dance.
_UPSERT_ADVANCE = (
    f'INSERT INTO {_COUNTER} (prefix, "table", next_value, digits) VALUES (%s, %s, %s, {_DEFAULT_DIGITS}) '  # noqa: S608
    f"ON CONFLICT (prefix) DO UPDATE SET next_value = {_COUNTER}.next_value + %s "
    "RETURNING next_value - %s, digits"
)
_UPSERT_CREATE = (
    f'INSERT INTO {_COUNTER} (prefix, "table", next_value, digits) VALUES (%s, %s, 1, {_DEFAULT_DIGITS}) '  # noqa: S608
    "ON CONFLICT (prefix) DO NOTHING RETURNING prefix"
)
_UPSERT_PAST = (
    f'INSERT INTO {_COUNTER} (prefix, "table", next_value, digits) VALUES (%s, %s, %s, {_DEFAULT_DIGITS}) '  # noqa: S608
    f"ON CONFLICT (prefix) DO UPDATE SET next_value = GREATEST({_COUNTER}.next_value, EXCLUDED.next_value) "
    "RETURNING next_value, digits"
)


class _HeldCounter:
    """A no-op on-commit callback marking that the open transaction holds ``prefix``'s counter
    row: Django drops its callbacks exactly when PostgreSQL releases the row lock (commit,
    rollback, rollback to a savepoint taken before the draw)."""

    __slots__ = ("prefix",)

    def __init__(self, prefix: str) -> None:
        self.prefix = prefix

    def __call__(self) -> None:
        pass


def _mark_held(prefix: str) -> None:
    if connection.vendor == "postgresql" and connection.in_atomic_block and not _holds(prefix):
        connection.on_commit(_HeldCounter(prefix))


def _holds(prefix: str) -> bool:
    return any(
        isinstance(callback, _HeldCounter) and callback.prefix == prefix for _, callback, _ in connection.run_on_commit
    )


def _can_draw_apart(prefix: str) -> bool:
    return connection.vendor == "postgresql" and connection.in_atomic_block and not _holds(prefix)


def _apart(sql: str, params: list) -> tuple[int, int] | None:
    """Run ``sql`` in a transaction of a second connection, committed at once. None when the
    counter row was not granted in time: the caller holds it some other way (it created the row
    itself, uncommitted), so it draws in its own transaction after all.

    The statement goes to the driver directly: Django's execute wrappers (the audit's actor)
    belong to the registered connection, and the counter is not audited."""
    side = connections.create_connection(connection.alias)
    try:
        side.ensure_connection()
        with side.wrap_database_errors, side.connection.transaction():
            side.connection.execute(f"SET LOCAL lock_timeout = '{_APART_LOCK_TIMEOUT}'")
            return side.connection.execute(sql, params).fetchone()
    except DatabaseError:
        return None
    finally:
        side.close()
