"""``python -m lineage``."""

from .cli import main

main()
