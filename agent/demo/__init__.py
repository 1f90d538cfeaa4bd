"""A seeded, realistic demo book (team, accounts, ledger, CRM data) and its CSV export."""

from agent.demo.book import DemoBook, build_demo_book
from agent.demo.export import write_canonical_csv

__all__ = ["DemoBook", "build_demo_book", "write_canonical_csv"]
