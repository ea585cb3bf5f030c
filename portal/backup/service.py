"""Consistent backups of the database and the upload store, their checks and their restore.

The database is copied first, from one moment: SQLite through its online backup API (what is
still in the WAL is included), PostgreSQL through ``pg_dump`` run on a snapshot that the
row counts in the manifest are read from too. The uploads are copied after: a file is always
written before the row that names it is committed, so every file the database copy names is
already on disk. The manifest holds the row count of every table and a SHA-256 of every file.
The keys (PORTAL_SECRET_KEY, PORTAL_DATA_KEY) are never in a backup: keep them apart.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import sqlite3
import subprocess
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import create_engine, func, inspect, select, table
from sqlalchemy.engine import make_url

MANIFEST = "manifest.json"
SQLITE_FILE = "database.sqlite3"
PG_FILE = "database.pgdump"
UPLOADS = "uploads"


class BackupError(Exception):
    """Something an operator has to fix; the message says what."""


def sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def libpq_url(url: str) -> str:
    """postgresql+psycopg://... as pg_dump and pg_restore read it."""
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


def _empty_target(folder: Path) -> None:
    if folder.exists() and any(folder.iterdir()):
        raise BackupError(f"{folder} is not empty: choose a new folder for the backup.")
    folder.mkdir(parents=True, exist_ok=True)


def _count_rows(connection) -> dict[str, int]:
    names = sorted(inspect(connection).get_table_names())
    return {name: connection.execute(select(func.count()).select_from(table(name))).scalar_one()
            for name in names}


def _backup_sqlite(url: str, folder: Path) -> dict:
    source_path = make_url(url).database
    target = folder / SQLITE_FILE
    source = sqlite3.connect(source_path, timeout=30)
    try:
        destination = sqlite3.connect(target)
        with destination:
            source.backup(destination)  # one step: a single consistent moment
        destination.close()
    finally:
        source.close()
    engine = create_engine(f"sqlite:///{target}")
    with engine.connect() as connection:
        counts = _count_rows(connection)
    engine.dispose()
    return {"kind": "sqlite", "file": SQLITE_FILE, "counts": counts}


def _client(name: str) -> str | None:
    """The full path of a PostgreSQL client program on the PATH."""
    return shutil.which(name)


def _backup_postgresql(url: str, folder: Path) -> dict:
    pg_dump = _client("pg_dump")
    if pg_dump is None:
        raise BackupError("pg_dump is not on the PATH: install the PostgreSQL client "
                          "(the same major version as the server) and run the backup again.")
    engine = create_engine(url)
    target = folder / PG_FILE
    options = {"isolation_level": "REPEATABLE READ", "postgresql_readonly": True}
    with engine.connect().execution_options(**options) as connection, connection.begin():
        snapshot = connection.exec_driver_sql("SELECT pg_export_snapshot()").scalar_one()
        counts = _count_rows(connection)
        # pg_dump reads the very snapshot the counts came from, while this one stays open.
        command = [pg_dump, "--format=custom", "--no-owner", f"--snapshot={snapshot}",
                   f"--file={target}", libpq_url(url)]
        done = subprocess.run(command, capture_output=True, text=True)  # noqa: S603
    engine.dispose()
    if done.returncode != 0:
        raise BackupError(f"pg_dump failed: {done.stderr.strip()[:500]}")
    return {"kind": "postgresql", "file": PG_FILE, "counts": counts}


def _copy_uploads(source: Path, target: Path) -> dict[str, dict]:
    files = {}
    target.mkdir()
    if not source.is_dir():
        return files
    for path in sorted(source.rglob("*")):
        if not path.is_file() or path.name.startswith("."):  # not .part files or probes
            continue
        relative = path.relative_to(source)
        copy = target / relative
        copy.parent.mkdir(parents=True, exist_ok=True)
        try:
            shutil.copy2(path, copy)
        except FileNotFoundError:  # removed (clean-up) since it was listed
            continue
        files[relative.as_posix()] = {"size": copy.stat().st_size, "sha256": sha256(copy)}
    return files


def make_backup(database_url: str, upload_dir: str, folder: Path, revision: str | None) -> dict:
    _empty_target(folder)
    started = datetime.now(UTC)
    if database_url.startswith("sqlite"):
        database = _backup_sqlite(database_url, folder)
    elif database_url.startswith("postgresql"):
        database = _backup_postgresql(database_url, folder)
    else:
        raise BackupError(f"no backup method for {make_url(database_url).drivername}")
    database["sha256"] = sha256(folder / database["file"])
    manifest = {"format": 1, "started_at": started.isoformat(), "revision": revision,
                "database": database,
                "uploads": _copy_uploads(Path(upload_dir), folder / UPLOADS),
                "finished_at": datetime.now(UTC).isoformat()}
    (folder / MANIFEST).write_text(json.dumps(manifest, indent=1, sort_keys=True))
    return manifest


def read_manifest(folder: Path) -> dict:
    try:
        return json.loads((folder / MANIFEST).read_text())
    except (OSError, ValueError) as error:
        raise BackupError(f"{folder} has no readable {MANIFEST}: {error}") from None


def verify(folder: Path) -> list[str]:
    """Every problem found in the backup at ``folder``; an empty list means it is whole."""
    manifest = read_manifest(folder)
    problems = []
    database = manifest["database"]
    db_file = folder / database["file"]
    if not db_file.is_file() or sha256(db_file) != database["sha256"]:
        return [f"{database['file']} is missing or its checksum differs"]
    for name, expected in manifest["uploads"].items():
        path = folder / UPLOADS / name
        if not path.is_file() or sha256(path) != expected["sha256"]:
            problems.append(f"upload {name} is missing or its checksum differs")
    if database["kind"] == "sqlite":
        problems += _verify_sqlite(db_file, database["counts"], manifest["uploads"])
    elif _client("pg_restore"):
        listed = subprocess.run([_client("pg_restore"), "--list", str(db_file)],  # noqa: S603
                                capture_output=True)
        if listed.returncode != 0:
            problems.append("pg_restore can't read the database dump")
    return problems


def _verify_sqlite(db_file: Path, counts: dict, uploads: dict) -> list[str]:
    problems = []
    connection = sqlite3.connect(f"file:{db_file}?mode=ro", uri=True)
    try:
        if connection.execute("PRAGMA integrity_check").fetchone()[0] != "ok":
            problems.append("the database copy fails SQLite's integrity check")
        for table, count in counts.items():
            quoted = table.replace('"', '""')  # a name from the copy's own catalogue
            statement = f'SELECT COUNT(*) FROM "{quoted}"'  # noqa: S608
            found = connection.execute(statement).fetchone()[0]
            if found != count:
                problems.append(f"table {table}: {found} rows, the manifest says {count}")
        tokens = {name.rsplit("/", 1)[-1].split(".")[0] for name in uploads}
        if "stored_file" in counts:
            for (token,) in connection.execute("SELECT token FROM stored_file"):
                if token not in tokens:
                    problems.append(f"stored file {token[:6]}… has no copy in the backup")
    finally:
        connection.close()
    return problems


def restore(folder: Path, database_url: str, upload_dir: str) -> dict:
    """Put the backup at ``folder`` into an empty database and an empty upload directory."""
    problems = verify(folder)
    if problems:
        raise BackupError("the backup is not whole: " + "; ".join(problems[:5]))
    manifest = read_manifest(folder)
    kind = manifest["database"]["kind"]
    if not database_url.startswith("sqlite" if kind == "sqlite" else "postgresql"):
        raise BackupError(f"this is a {kind} backup: restore it into a {kind} database")
    engine = create_engine(database_url)
    with engine.connect() as connection:
        if inspect(connection).get_table_names():
            raise BackupError("the target database is not empty: restore into a new one")
    engine.dispose()
    uploads = Path(upload_dir)
    if uploads.exists() and any(uploads.iterdir()):
        raise BackupError(f"the upload directory {uploads} is not empty: use a new one")
    db_file = folder / manifest["database"]["file"]
    if kind == "sqlite":
        target = Path(make_url(database_url).database)
        target.parent.mkdir(parents=True, exist_ok=True)
        for suffix in ("", "-wal", "-shm"):
            Path(f"{target}{suffix}").unlink(missing_ok=True)
        shutil.copyfile(db_file, target)
    else:
        pg_restore = _client("pg_restore")
        if pg_restore is None:
            raise BackupError("pg_restore is not on the PATH: install the PostgreSQL client.")
        command = [pg_restore, "--no-owner", "--exit-on-error",
                   f"--dbname={libpq_url(database_url)}", str(db_file)]
        done = subprocess.run(command, capture_output=True, text=True)  # noqa: S603
        if done.returncode != 0:
            raise BackupError(f"pg_restore failed: {done.stderr.strip()[:500]}")
    shutil.copytree(folder / UPLOADS, uploads, dirs_exist_ok=True)
    return manifest
