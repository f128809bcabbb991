"""Storage: SQLAlchemy Core schema, Alembic migrations, repository functions by role."""

from .db import Store, open_store

__all__ = ["Store", "open_store"]
