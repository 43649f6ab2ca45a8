"""Making a user from the command line: the password from the environment or typed twice, checked
against the site's password rules (AUTH_PASSWORD_VALIDATORS) before anybody is created."""

from __future__ import annotations

import getpass
import os

from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.management.base import CommandError


def get_or_create_user(*, username: str, password_variables: tuple[str, ...], email: str = ""):
    """(the user, whether it was created); a new user's password is the first set variable or asked for."""
    User = get_user_model()
    user = User.objects.filter(username=username).first()
    if user is not None:
        if email and user.email != email:
            user.email = email
            user.save(update_fields=["email"])
        return user, False
    password = next((os.environ[name] for name in password_variables if os.environ.get(name)), None)
    password = password or _ask_password(password_variables[0])
    try:
        validate_password(password, User(username=username, email=email))
    except ValidationError as error:
        raise CommandError(" ".join(error.messages)) from None
    return User.objects.create_user(username, email=email, password=password), True


def _ask_password(variable: str) -> str:
    try:
        first = getpass.getpass("Password: ")
        second = getpass.getpass("Password (again): ")
    except EOFError:
        raise CommandError(f"No password: set {variable} or run this in a terminal.") from None
    if not first or first != second:
        raise CommandError("The passwords are empty or differ.")
    return first
