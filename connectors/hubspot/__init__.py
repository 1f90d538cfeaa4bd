"""HubSpot: CRM source (companies, contacts, deals, owners), webhook route and emulator."""
