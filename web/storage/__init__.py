"""The only code that talks to the database: SQLite by default, PostgreSQL via DATABASE_URL."""

from web.storage.database import create_database_engine, database_is_healthy, dispose_engine_on_shutdown

__all__ = ["create_database_engine", "database_is_healthy", "dispose_engine_on_shutdown"]
