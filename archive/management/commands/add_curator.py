"""python manage.py add_curator USERNAME — give a user the "curator" role (creating the user if needed)."""

from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand

from archive.roles import CURATORS, ensure_curator_group
from archive.users import get_or_create_user


class Command(BaseCommand):
    help = (
        "Make USERNAME a curator: staff, in the curator group (articles, sources, ingest review; no user "
        "management). A new user's password is asked for, or read from CURATOR_PASSWORD; it must pass the "
        "password rules (AUTH_PASSWORD_VALIDATORS)."
    )

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--email", default="", help="where the saved searches' alerts go")

    def handle(self, *args, username, email, **options):
        ensure_curator_group()
        user, created = get_or_create_user(username=username, email=email, password_variables=("CURATOR_PASSWORD",))
        if created:
            self.stdout.write(f"Created user {username}.")
        user.is_staff = True
        user.save(update_fields=["is_staff"])
        user.groups.add(Group.objects.get(name=CURATORS))
        self.stdout.write(f"{username} is a curator: sign in at /admin/.")
