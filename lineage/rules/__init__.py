"""Rules, the engine that runs them, and the registry of packs."""
