"""People acting from inside a vendor's app (Slack buttons, forms, /nudge, App Home)."""
