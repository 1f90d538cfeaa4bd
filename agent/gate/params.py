"""The constrained integer types of every route's ids, offsets and owner filters.

Ids are PostgreSQL ``integer`` columns: a number past their range is no row, and sent to
the database it fails there (or overflows SQLite's driver). Such input is a 422 that says
the bound, before any query runs.
"""

from __future__ import annotations

from typing import Annotated

from annotated_types import Interval

MAX_ROW_ID = 2**31 - 1

RowId = Annotated[int, Interval(ge=1, le=MAX_ROW_ID)]
RowOffset = Annotated[int, Interval(ge=0, le=MAX_ROW_ID)]
