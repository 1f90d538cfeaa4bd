"""Loading the shared :class:`ledger.Ledger` frame from the profile store."""
