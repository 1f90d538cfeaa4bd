"""The routing configuration the product uses: the YAML tree plus the people in the database.

``rules/routing.yaml`` (or a given file) decides who is told; the ``people`` table supplies
each person's time zone and manager so that ``owner_manager`` and quiet hours work for the
whole team without listing everyone in YAML (entries in the file win).
"""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session, aliased

import rules
from agent.profile.tables import Person
from rules.routing import RoutingConfig, load_routing
from rules.routing.config import Person as RoutedPerson

DEFAULT_ROUTING = Path(rules.__file__).parent / "routing.yaml"


def routing_with_people(*, session: Session, config: RoutingConfig) -> RoutingConfig:
    """``config`` with every active person of the database added (YAML entries win)."""
    listed = {person.email for person in config.people}
    manager = aliased(Person)
    query = (
        select(Person.email, Person.time_zone, manager.email)
        .outerjoin(manager, manager.id == Person.manager_id)
        .where(Person.active.is_(True))
    )
    extra = [
        _person(email, zone, manager_email, config.defaults.timezone)
        for email, zone, manager_email in session.execute(query)
        if email not in listed
    ]
    return config.model_copy(update={"people": [*config.people, *extra]})


def _person(email: str, zone: str, manager: str | None, default_zone: str) -> RoutedPerson:
    try:
        return RoutedPerson(email=email, timezone=zone or default_zone, manager=manager)
    except ValueError:
        # An unknown zone in a synced profile must not stop delivery: use the default.
        return RoutedPerson(email=email, timezone=default_zone, manager=manager)


def load_product_routing(*, session: Session, path: Path = DEFAULT_ROUTING) -> RoutingConfig:
    """Load the routing file and complete it with the database's people."""
    return routing_with_people(session=session, config=load_routing(path))
