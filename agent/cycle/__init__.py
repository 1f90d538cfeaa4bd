"""The cycle: sync → score → metrics → rules/alerts → deliver, its steps in order and its runner."""
