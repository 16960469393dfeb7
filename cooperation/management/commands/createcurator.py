"""Create a curator: a staff account in the Curators group, which may edit the catalogue in the
admin but not users, groups or permissions.

The password is asked for twice, or read from the environment variable CURATOR_PASSWORD
with --no-input; Django's password validators apply either way.
"""

import getpass
import os

from django.contrib.auth import get_user_model, password_validation
from django.contrib.auth.models import Group, Permission
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from cooperation.curators import ensure_curators_group


class Command(BaseCommand):
    help = "Create a curator account (staff, in the Curators group, not a superuser)."

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--email", default="")
        parser.add_argument(
            "--no-input",
            action="store_false",
            dest="interactive",
            help="Read the password from the CURATOR_PASSWORD environment variable.",
        )

    def handle(self, *args, username, email, interactive, **options):
        users = get_user_model()
        if users.objects.filter(username=username).exists():
            raise CommandError(f"A user named {username!r} exists already.")
        user = users(username=username, email=email, is_staff=True, is_superuser=False)
        try:
            user.full_clean(exclude=["password"])
        except ValidationError as error:
            messages = " ".join(m for ms in error.message_dict.values() for m in ms)
            raise CommandError(f"The user name or e-mail is refused: {messages}") from error
        password = self._password(interactive)
        try:
            password_validation.validate_password(password, user)
        except ValidationError as error:
            raise CommandError("The password is refused: " + " ".join(error.messages)) from error
        user.set_password(password)
        user.save()
        user.groups.add(ensure_curators_group(Group, Permission))
        self.stdout.write(self.style.SUCCESS(f"Curator {username!r} created; log in at /admin/."))

    def _password(self, interactive):
        if not interactive:
            password = os.environ.get("CURATOR_PASSWORD", "")
            if not password:
                raise CommandError("Set CURATOR_PASSWORD, or run without --no-input to type it.")
            return password
        password = getpass.getpass("Password: ")
        if password != getpass.getpass("Password (again): "):
            raise CommandError("The two passwords differ.")
        return password
