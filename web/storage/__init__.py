"""The only code that runs SQL, every table in one place: SQLite by default, PostgreSQL via DATABASE_URL."""

from web.storage.database import create_database_engine, database_is_healthy, disposing

__all__ = ["create_database_engine", "database_is_healthy", "disposing"]
