"""What every connector shares: record models, the plugin protocols, the vendor-call wrapper,
the registry and the emulator runner."""
