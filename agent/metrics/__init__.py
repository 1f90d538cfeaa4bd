"""Receivables metrics (DSO and its variants, aging, CEI, trends, cash forecast) over a ledger."""
