"""Record numbers: prefix + zero-padded digits, strictly increasing per prefix (docs/platform.md).

The counter row is advanced with one ``UPDATE ... RETURNING`` statement. On PostgreSQL the
row lock it takes is held until the caller's transaction ends, so concurrent inserts are
serialised on the counter and can never draw the same number; ``max()+1`` would. SQLite
serialises writers on the whole database. A number drawn by a transaction that later rolls
back is not reused (gaps are allowed, duplicates are not).
"""

from collections.abc import Iterable

from django.db import IntegrityError, connection, transaction
from django.db.models import F
from django.db.models.functions import Greatest

from csm_project.core.models import NumberCounter


def next_number(prefix: str, *, table: str = "") -> str:
    """Draw the next number for ``prefix`` (e.g. ``LEAD0000001``)."""
    return reserve_numbers(prefix, 1, table=table)[0]


def reserve_numbers(prefix: str, count: int, *, table: str = "") -> list[str]:
    """Draw a block of ``count`` consecutive numbers with one statement (bulk loads): unique
    and increasing under concurrency like single draws, since a block is one advance of the
    counter row under its lock."""
    if count < 1:
        return []
    # One statement, atomic by itself: no savepoint on the hot path (only a counter's first
    # use opens one, to survive a concurrent creation of the same counter).
    row = _advance(prefix, count)
    if row is None:
        _create_counter(prefix, table)
        row = _advance(prefix, count)
    first, digits = row
    return [f"{prefix}{value:0{digits}d}" for value in range(first, first + count)]


def _advance(prefix: str, count: int) -> tuple[int, int] | None:
    db_table = connection.ops.quote_name(NumberCounter._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {db_table} SET next_value = next_value + %s WHERE prefix = %s "  # noqa: S608 - table name is ours
            "RETURNING next_value - %s, digits",
            [count, prefix, count],
        )
        return cursor.fetchone()


def _create_counter(prefix: str, table: str) -> None:
    try:
        with transaction.atomic():
            NumberCounter.objects.create(prefix=prefix, table=table)
    except IntegrityError:
        pass  # another transaction created it first; advancing it is now safe


def advance_past(prefix: str, numbers: Iterable[str], *, table: str = "") -> None:
    """Move the counter of ``prefix`` past ``numbers`` stored as given (a bulk load keeping an
    export's numbers), so later draws never meet them. Numbers of another form are left alone."""
    digits = [number[len(prefix) :] for number in numbers if number.startswith(prefix)]
    values = [int(text) for text in digits if text.isdigit()]
    if not values:
        return
    counter = NumberCounter.objects.filter(prefix=prefix)
    if not counter.update(next_value=Greatest(F("next_value"), max(values) + 1)):
        _create_counter(prefix, table)
        counter.update(next_value=Greatest(F("next_value"), max(values) + 1))
