"""Default field ranks connectors declare for the account fields they write (lower wins).

A CRM names and owns an account; billing knows its currency. Connectors pick from these
so their ranks interleave predictably with each other and with Nudge's own sources.
"""

from __future__ import annotations

CRM_FIELDS = ("name", "owner", "segment", "country", "primary_domain")


def ranks(*, crm: int, billing: int) -> dict[str, int]:
    """A connector's rank for each CRM-owned field and for ``currency``."""
    return dict.fromkeys(CRM_FIELDS, crm) | {"currency": billing}
