"""One module per ``nudge`` sub-command; each exposes ``register(subparsers)``."""
