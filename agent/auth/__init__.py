"""Authentication (API tokens, web sessions) and role scoping."""
