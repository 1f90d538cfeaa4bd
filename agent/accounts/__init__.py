"""The book as a caller sees it: accounts with balances, account detail, owners and aging,
scoped by role, and their API (``/api/accounts``, ``/api/aging``, ``/api/owners``, ``/api/me``).

Above ``agent.auth`` (which builds on the profile's people), below the web pages.
"""
