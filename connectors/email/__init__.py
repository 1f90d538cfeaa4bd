"""E-mail: Nudge's notifications and digests over SMTP, with a local SMTP sink to deliver to."""
