"""Stripe: billing source (customers, invoices, credit notes), webhook route and emulator."""
