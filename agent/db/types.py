"""Column types that behave the same on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import BigInteger, DateTime, Dialect, Numeric
from sqlalchemy.types import TypeDecorator, TypeEngine

MONEY_SCALE = 4
_UNITS = Decimal(10) ** MONEY_SCALE


class Money(TypeDecorator[Decimal]):
    """An exact decimal amount.

    PostgreSQL stores ``NUMERIC(18, 4)``. SQLite has no exact decimal type (it would round
    through a float), so there the amount is stored as an integer count of 1/10,000 units;
    sums computed in SQL stay exact and come back as :class:`~decimal.Decimal`.
    """

    impl = Numeric(18, MONEY_SCALE)
    cache_ok = True

    def load_dialect_impl(self, dialect: Dialect) -> TypeEngine[Any]:
        if dialect.name == "sqlite":
            return dialect.type_descriptor(BigInteger())
        return dialect.type_descriptor(Numeric(18, MONEY_SCALE, asdecimal=True))

    def process_bind_param(self, value: Any, dialect: Dialect) -> Any:
        if value is None:
            return None
        amount = value if isinstance(value, Decimal) else Decimal(str(value))
        if dialect.name == "sqlite":
            return int((amount * _UNITS).to_integral_value())
        return amount.quantize(Decimal(1).scaleb(-MONEY_SCALE))

    def process_result_value(self, value: Any, dialect: Dialect) -> Decimal | None:
        if value is None:
            return None
        if dialect.name == "sqlite":
            return (Decimal(int(value)) / _UNITS).normalize() + Decimal("0.00")
        return Decimal(value)


class UTCDateTime(TypeDecorator[datetime]):
    """A timezone-aware UTC timestamp (SQLite drops the zone; this puts it back)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: Any, dialect: Dialect) -> Any:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column; pass an aware datetime")
        return value.astimezone(UTC)

    def process_result_value(self, value: Any, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def utcnow() -> datetime:
    """The current time, aware, in UTC."""
    return datetime.now(UTC)


def plain_amount(amount: Decimal) -> Decimal:
    """``1200.5000`` -> ``1200.50``: cents, or every decimal a finer amount needs.

    Stored amounts come back with the backend's scale (four places on PostgreSQL); what
    people read, in messages and payloads, should not depend on the backend.
    """
    cents = amount.quantize(Decimal("0.01"))
    return cents if cents == amount else amount.normalize()
