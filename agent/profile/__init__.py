"""The unified customer profile: accounts, people, invoices, payments, signals and more."""
