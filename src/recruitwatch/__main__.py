"""``python -m recruitwatch`` runs the CLI."""

from .cli import main

main()
