"""python manage.py add_curator USERNAME — give a user the "curator" role (creating the user if needed)."""

import getpass
import os

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from archive.roles import CURATORS, ensure_curator_group


class Command(BaseCommand):
    help = (
        "Make USERNAME a curator: staff, in the curator group (articles, sources, ingest review; no user "
        "management). A new user's password is asked for, or read from CURATOR_PASSWORD; it must pass the "
        "password rules (AUTH_PASSWORD_VALIDATORS)."
    )

    def add_arguments(self, parser):
        parser.add_argument("username")

    def handle(self, *args, username, **options):
        ensure_curator_group()
        User = get_user_model()
        user = User.objects.filter(username=username).first()
        if user is None:
            password = os.environ.get("CURATOR_PASSWORD") or self._ask_password()
            try:
                validate_password(password, User(username=username))
            except ValidationError as error:
                raise CommandError(" ".join(error.messages)) from None
            user = User.objects.create_user(username, password=password)
            self.stdout.write(f"Created user {username}.")
        user.is_staff = True
        user.save(update_fields=["is_staff"])
        user.groups.add(Group.objects.get(name=CURATORS))
        self.stdout.write(f"{username} is a curator: sign in at /admin/.")

    @staticmethod
    def _ask_password() -> str:
        try:
            first = getpass.getpass("Password: ")
            second = getpass.getpass("Password (again): ")
        except EOFError:
            raise CommandError("No password: set CURATOR_PASSWORD or run this in a terminal.") from None
        if not first or first != second:
            raise CommandError("The passwords are empty or differ.")
        return first
