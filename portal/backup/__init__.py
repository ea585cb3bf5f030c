"""``portal backup DIR``, ``portal verify-backup DIR`` and ``portal restore DIR``."""

from __future__ import annotations

from pathlib import Path

import click
from flask import Flask, current_app
from flask.cli import with_appcontext

from portal.registry import registry


def _revision() -> str | None:
    from sqlalchemy import text

    from portal.extensions import db

    try:
        return db.session.execute(text("SELECT version_num FROM alembic_version")).scalar()
    except Exception:  # noqa: BLE001 - a database not made by `portal init`
        return None


@click.command("backup")
@click.argument("folder", type=click.Path(file_okay=False, path_type=Path))
@with_appcontext
def backup_command(folder):
    """Back up the database and the uploads, consistently, into a new FOLDER."""
    from portal.backup.service import BackupError, make_backup

    config = current_app.config
    try:
        manifest = make_backup(config["DATABASE_URL"], config["UPLOAD_DIR"], folder,
                               _revision())
    except BackupError as error:
        raise click.ClickException(str(error)) from None
    rows = sum(manifest["database"]["counts"].values())
    click.echo(f"Backed up {rows} rows in {len(manifest['database']['counts'])} tables and "
               f"{len(manifest['uploads'])} upload file(s) to {folder}. Keep "
               f"PORTAL_SECRET_KEY and PORTAL_DATA_KEY safe, and not with this backup.")


@click.command("verify-backup")
@click.argument("folder", type=click.Path(exists=True, file_okay=False, path_type=Path))
def verify_backup_command(folder):
    """Check a backup's checksums, row counts and files."""
    from portal.backup.service import BackupError, verify

    try:
        problems = verify(folder)
    except BackupError as error:
        raise click.ClickException(str(error)) from None
    for problem in problems:
        click.echo(f"problem: {problem}", err=True)
    if problems:
        raise click.ClickException(f"{len(problems)} problem(s) in {folder}")
    click.echo(f"{folder} is whole.")


@click.command("restore")
@click.argument("folder", type=click.Path(exists=True, file_okay=False, path_type=Path))
@with_appcontext
def restore_command(folder):
    """Restore a backup into the configured (empty) database and upload directory."""
    from portal.backup.service import BackupError, restore

    config = current_app.config
    current_app.extensions["db_engine"].dispose()
    try:
        manifest = restore(folder, config["DATABASE_URL"], config["UPLOAD_DIR"])
    except BackupError as error:
        raise click.ClickException(str(error)) from None
    click.echo(f"Restored the backup of {manifest['started_at']} "
               f"({len(manifest['uploads'])} upload file(s)). Run `portal init` next: it "
               f"upgrades the schema if this release is newer.")


def init_app(app: Flask) -> None:
    registry(app).add(backup_command, verify_backup_command, restore_command)
