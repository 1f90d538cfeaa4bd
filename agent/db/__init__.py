"""The database: declarative base, column types, engine and sessions, migrations."""
