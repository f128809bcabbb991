"""Command-line interface: thin commands over the library verbs.

``app`` holds the root group and shared helpers; each sibling module registers
its commands on it when imported here.
"""

from . import enrichment, fingerprints, labels, live, records  # noqa: F401  (registers commands)
from .app import main

__all__ = ["main"]
