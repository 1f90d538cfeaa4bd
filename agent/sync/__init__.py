"""Sync bookkeeping: cursors per source and object, and one record per sync run."""
