"""One module per ``nudge`` sub-command; each exposes ``register(subparsers)``.

Registration stays light: a command module imports at its top only argparse and
``agent.cli.common``, and its handler imports what the command needs when it runs, so
``nudge --help`` and ``nudge rules check`` load neither the web app nor scikit-learn.
"""
