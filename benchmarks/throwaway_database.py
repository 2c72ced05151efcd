"""The benchmarks' scratch database: a SQLite file in a work folder, or the PostgreSQL database
named by the URL, dropped and created anew."""

import os
from pathlib import Path


def prepare_database(url: str | None, workdir: Path, sqlite_name: str) -> None:
    if url is None:
        os.environ["DATABASE_URL"] = f"sqlite:///{workdir / sqlite_name}"
        return
    import psycopg

    name = url.rsplit("/", 1)[1]
    admin_url = url.rsplit("/", 1)[0].replace("postgres://", "postgresql://") + "/postgres"
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')  # a run's sessions may linger
        conn.execute(f'CREATE DATABASE "{name}"')
