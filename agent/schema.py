"""The whole schema: imports every table module so ``Base.metadata`` knows all tables.

It sits above every package that owns tables; Alembic's ``env.py`` and the tests read it.
"""

from agent.alerts import tables as alerts_tables
from agent.audit import tables as audit_tables
from agent.auth import tables as auth_tables
from agent.db.base import Base
from agent.delivery import tables as delivery_tables
from agent.imports import tables as imports_tables
from agent.jobs import tables as jobs_tables
from agent.links import tables as links_tables
from agent.metrics import tables as metrics_tables
from agent.profile import tables as profile_tables
from agent.risk import tables as risk_tables
from agent.rulesets import tables as rulesets_tables
from agent.sync import tables as sync_tables

TABLE_MODULES = (
    profile_tables,
    alerts_tables,
    delivery_tables,
    sync_tables,
    audit_tables,
    auth_tables,
    imports_tables,
    metrics_tables,
    jobs_tables,
    rulesets_tables,
    risk_tables,
    links_tables,
)
metadata = Base.metadata

__all__ = ["TABLE_MODULES", "metadata"]
