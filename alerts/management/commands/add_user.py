"""python manage.py add_user USERNAME [--email E] [--role reader|curator] — a staff reader or a curator."""

from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand

from alerts.roles import READERS, ensure_reader_group
from archive.roles import CURATORS, ensure_curator_group
from archive.users import get_or_create_user


class Command(BaseCommand):
    help = (
        "Create USERNAME (or change an existing user) with a role: 'reader' (the default: a staff reader, who "
        "signs in at /accounts/login/, saves searches and gets their alerts, and does not curate) or 'curator' "
        "(also curates in /admin/). A new user's password is read from USER_PASSWORD or asked for; it must pass "
        "the password rules (AUTH_PASSWORD_VALIDATORS)."
    )

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--email", default="", help="where the saved searches' alerts go")
        parser.add_argument("--role", choices=["reader", "curator"], default="reader")

    def handle(self, *args, username, email, role, **options):
        ensure_reader_group()
        ensure_curator_group()
        user, created = get_or_create_user(username=username, email=email, password_variables=("USER_PASSWORD",))
        if created:
            self.stdout.write(f"Created user {username}.")
        if role == "curator":
            user.is_staff = True
            user.save(update_fields=["is_staff"])
            user.groups.add(Group.objects.get(name=CURATORS))
            self.stdout.write(f"{username} is a curator: sign in at /admin/ or /accounts/login/.")
        else:
            user.groups.add(Group.objects.get(name=READERS))
            self.stdout.write(f"{username} is a staff reader: sign in at /accounts/login/ and save searches.")
