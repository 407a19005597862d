"""Formatters: every one renders ``Finding.as_dict`` / ``Audit.as_dict``, nothing else."""
