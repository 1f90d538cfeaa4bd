"""Rule sets as versioned data: the running set, its history and audited changes."""
