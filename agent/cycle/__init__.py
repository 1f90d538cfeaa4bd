"""The cycle: sync → score → metrics → rules/alerts → deliver, as named steps run in order."""
