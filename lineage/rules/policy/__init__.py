"""The policy pack: one module per rule of ``docs/spec/rules.md`` (TP...)."""
