"""Salesforce: CRM source (Account, Contact, Opportunity, User) and emulator."""
