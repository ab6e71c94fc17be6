from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection, transaction

from compliance.db_roles import create_role_statements, grant_statements, runtime_role_problems


class Command(BaseCommand):
    help = (
        "PostgreSQL least privilege: grant the runtime role (the app and its workers) what it needs on this "
        "database, and only SELECT and INSERT on the timeline. Run as the owner role after every migrate. "
        "--create first creates both roles (needs a superuser or CREATEROLE); --print only prints the SQL; "
        "--check reports what is wrong with the role this command connects as."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--runtime", default="docket_app", help="The runtime role (default docket_app)")
        parser.add_argument(
            "--owner", default=None, help="The role that owns the tables and runs migrate (default: you)"
        )
        parser.add_argument("--create", action="store_true", help="Create both roles first")
        parser.add_argument("--print", action="store_true", dest="print_only", help="Print the SQL only")
        parser.add_argument(
            "--check", action="store_true", help="Check the connected role as a runtime role, change nothing"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if connection.vendor != "postgresql":
            raise CommandError(
                f"Database roles exist only on PostgreSQL (this database is {connection.vendor})."
            )
        if options["check"]:
            problems = runtime_role_problems()
            for problem in problems:
                self.stdout.write(f"- {problem}")
            if problems:
                raise CommandError("This role must not be the application's runtime role.")
            self.stdout.write(self.style.SUCCESS("This role is fit to be the runtime role."))
            return
        owner = options["owner"]
        if owner is None:
            with connection.cursor() as cursor:
                cursor.execute("SELECT current_user")
                (owner,) = cursor.fetchone()
        runtime = options["runtime"]
        if runtime == owner:
            raise CommandError("The runtime role must not be the owner role.")
        statements = create_role_statements(owner=owner, runtime=runtime) if options["create"] else []
        statements += grant_statements(runtime=runtime, owner=owner)
        if options["print_only"]:
            self.stdout.write(";\n".join(statements) + ";")
            return
        with transaction.atomic(), connection.cursor() as cursor:
            for sql in statements:
                cursor.execute(sql)
        self.stdout.write(
            self.style.SUCCESS(
                f"{runtime} may now read and write the app's tables and only read and append "
                f"to the timeline (tables owned by {owner})."
            )
        )
