"""A realistic book in the test database and a model trained on it once per test run."""

from __future__ import annotations

import atexit
import shutil
import tempfile
from datetime import date
from functools import lru_cache
from pathlib import Path

from sqlalchemy.orm import Session

from agent.db.database import Database
from agent.db.engine import make_engine, make_session_factory
from agent.db.migrate import upgrade_to_head
from agent.demo.book import DemoBook, build_demo_book
from agent.demo.load import load_demo_book
from agent.risk.inputs import load_inputs
from agent.risk.training import train_and_save
from models.registry import models_dir

AS_OF = date(2026, 11, 20)
ACCOUNTS = 40


@lru_cache(maxsize=1)
def risk_book() -> DemoBook:
    """The 40-account demo book as of the test book date (cached: do not mutate)."""
    return build_demo_book(accounts=ACCOUNTS, as_of=AS_OF)


def load_book(session: Session) -> None:
    """Load the demo book into an empty profile store and commit."""
    load_demo_book(session=session, book=risk_book())
    session.commit()


@lru_cache(maxsize=1)
def _trained_home() -> Path:
    """A NUDGE_HOME holding one model trained on the book (in a scratch SQLite database)."""
    scratch = Path(tempfile.mkdtemp(prefix="nudge-risk-model-"))
    atexit.register(shutil.rmtree, scratch, ignore_errors=True)
    engine = make_engine(f"sqlite:///{scratch / 'book.db'}")
    upgrade_to_head(engine)
    database = Database(engine=engine, sessions=make_session_factory(engine))
    with database.transaction() as session:
        load_demo_book(session=session, book=risk_book())
    with database.sessions() as session:
        train_and_save(inputs=load_inputs(session=session), home=scratch / "home")
    database.close()
    return scratch / "home"


def install_trained_model(home: Path) -> str:
    """Copy the shared trained model into ``home``; return its version."""
    source = models_dir(_trained_home())
    shutil.copytree(source, models_dir(home), dirs_exist_ok=True)
    [version] = [path.name for path in source.iterdir()]
    return version
