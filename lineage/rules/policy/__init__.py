"""The policy pack: one module per rule of ``shared/spec/rules.md`` (TP...)."""
