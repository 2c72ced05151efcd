"""A small fixed data set on the test tables, shared by the encoded query tests.

Record "1" Acme Corp (open, 5, 10.50, active, opened 2026-01-10 10:00:00.7, account Alpha),
"2" acme (closed, 10, 2.00, opened 2026-02-01, account Beta), "3" all empty, "4" Zed_50%
(open, -3, active, opened 2026-01-10 09:59:59, account Alpha).
"""

from datetime import UTC, date, datetime
from decimal import Decimal

from tests.eqtestapp.models import EqAccount, EqRecord


def sid(label: str) -> str:
    return (label * 32)[:32]


def create_sample_records() -> None:
    """Four records and two accounts; their labels (sys_id's first character) are "1".."4"."""
    alpha = EqAccount.objects.create(sys_id=sid("a"), name="Alpha")
    beta = EqAccount.objects.create(sys_id=sid("b"), name="Beta")
    rows = [
        dict(
            sys_id=sid("1"),
            name="Acme Corp",
            description="first",
            state="open",
            count=5,
            amount=Decimal("10.50"),
            active=True,
            opened_at=datetime(2026, 1, 10, 10, 0, 0, 700000, tzinfo=UTC),
            closed_at=datetime(2026, 1, 10, 13, 0, 0, tzinfo=UTC),
            due=date(2026, 1, 15),
            account=alpha,
            sys_created_on=datetime(2026, 1, 1, tzinfo=UTC),
        ),
        dict(
            sys_id=sid("2"),
            name="acme",
            description="second",
            state="closed",
            count=10,
            amount=Decimal("2.00"),
            active=False,
            opened_at=datetime(2026, 2, 1, tzinfo=UTC),
            closed_at=datetime(2026, 2, 1, 1, 0, 0, tzinfo=UTC),
            account=beta,
            sys_created_on=datetime(2026, 1, 2, tzinfo=UTC),
        ),
        dict(sys_id=sid("3"), sys_created_on=datetime(2026, 1, 3, tzinfo=UTC), description="ACME"),
        dict(
            sys_id=sid("4"),
            name="Zed_50%",
            description="caret ^ here",
            state="open",
            count=-3,
            active=True,
            opened_at=datetime(2026, 1, 10, 9, 59, 59, tzinfo=UTC),
            account=alpha,
            sys_created_on=datetime(2026, 1, 3, tzinfo=UTC),
        ),
    ]
    for row in rows:
        EqRecord.objects.create(**row)
