"""The entity-resolution review queue: ambiguous matches a person decides."""
