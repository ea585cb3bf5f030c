"""The `flask --app wsgi portal ...` commands."""

from __future__ import annotations

import os
import sys

import click
from flask import Flask, current_app
from flask.cli import AppGroup, with_appcontext

from portal.config import ROOT
from portal.registry import registry


def alembic_config():
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(ROOT / "migrations"))
    config.set_main_option("sqlalchemy.url", current_app.config["DATABASE_URL"])
    return config


def upgrade_database() -> None:
    from alembic import command

    command.upgrade(alembic_config(), "head")


def compile_catalogues() -> int:
    """Compile every translations/*/LC_MESSAGES/messages.po next to itself."""
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po

    count = 0
    for po_path in (ROOT / "translations").glob("*/LC_MESSAGES/*.po"):
        with po_path.open("rb") as po_file:
            catalog = read_po(po_file)
        # Written beside and then renamed: another process (a second server running init, a
        # test worker) may be reading the old one, and must never read half a file.
        mo_path = po_path.with_suffix(".mo")
        partial = mo_path.with_name(f".{mo_path.name}.{os.getpid()}")
        with partial.open("wb") as mo_file:
            write_mo(mo_file, catalog)
        os.replace(partial, mo_path)
        count += 1
    return count


def seed_reference_data() -> None:
    """Add the rows every community needs (categories, aid types, templates) that are missing."""
    from portal.extensions import db

    for item in registry().sorted("reference_data"):
        item.load(db.session)
    db.session.commit()


@click.command("init")
@with_appcontext
def init_command():
    """Create or upgrade the database, seed the reference data and compile the catalogues.
    Safe to run again: it never overwrites what staff have edited."""
    upgrade_database()
    seed_reference_data()
    count = compile_catalogues()
    click.echo(f"Database is at the latest version, reference data in place; "
               f"{count} catalogue(s) compiled.")


@click.command("create-user")
@click.argument("phone")
@click.option("--name", required=True, help="Display name.")
@click.option("--role", required=True, help="resident, grid_worker, civil_affairs, governance, "
              "culture, deputy_director, director or admin.")
@click.option("--password-stdin", is_flag=True, help="Read the password from standard input.")
@with_appcontext
def create_user_command(phone, name, role, password_stdin):
    """Create a user. The password comes from standard input, never the command line."""
    from portal.accounts import service
    from portal.accounts.roles import Role
    from portal.errors import DomainError
    from portal.extensions import db

    if not password_stdin:
        raise click.UsageError("Pass --password-stdin and the password on standard input.")
    password = sys.stdin.readline().rstrip("\n")
    try:
        role = Role(role)
    except ValueError:
        raise click.BadParameter(f"unknown role {role!r}", param_hint="--role") from None
    phone = service.normalise_phone(phone)
    try:
        if role is Role.RESIDENT:
            user = service.register_resident(db.session, phone=phone, name=name,
                                             password=password, building="", unit="", room="")
        else:
            # acting=None: the operator at the machine, who may create the first director.
            user = service.create_staff(db.session, phone=phone, name=name, role=role,
                                        password=password, acting=None)
    except DomainError as error:
        raise click.ClickException(str(error.message)) from None
    db.session.commit()
    click.echo(f"Created {role.value} {user.name} ({user.phone}).")


@click.command("send-notifications")
@click.option("--batch", default=100, show_default=True, help="Messages per run.")
@with_appcontext
def send_notifications_command(batch):
    """Deliver the outbox through the configured sender."""
    from portal.extensions import db
    from portal.notifications.senders import sender_for
    from portal.notifications.service import deliver_outbox

    counts = deliver_outbox(db.session, sender_for(current_app), batch=batch)
    db.session.commit()
    click.echo(f"Sent {counts['sent']}, failed {counts['failed']}.")


def _demo_command(app: Flask) -> click.Command:
    loaders = registry(app).sorted("demo_loaders")

    def run(**scales):
        from portal.extensions import db

        for loader in loaders:
            # click names the option --survey-responses, the keyword survey_responses
            option = (loader.scale_option or "").replace("-", "_")
            scale = scales.get(option) if loader.scale_option else None
            if loader.scale_option:
                loader.load(db.session, echo=click.echo, scale=scale)
            else:
                loader.load(db.session, echo=click.echo)
            db.session.commit()

    params = [
        click.Option([f"--{loader.scale_option}"], type=int, default=None,
                     help=loader.scale_help)
        for loader in loaders if loader.scale_option
    ]
    return click.Command("demo", callback=with_appcontext(run), params=params,
                         help="Load demo data (idempotent) and print the demo logins.")


def build(app: Flask) -> AppGroup:
    """The ``portal`` command group of this app: the shared commands and the areas' own."""
    group = AppGroup("portal", help="Linli administration commands.")
    for command in (init_command, create_user_command, send_notifications_command,
                    _demo_command(app), *registry(app).commands):
        group.add_command(command)
    return group
