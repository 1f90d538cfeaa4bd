"""The account context: one lookup from any source id, domain or email to what a card shows."""
