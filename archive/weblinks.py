"""Addresses the archive links to: web pages only (http, https).

A record's "url" is whatever a crawler or a feed wrote there, and a link runs what it names in
the reader's browser: ``javascript:alert(1)`` is a script on our page, ``data:text/html,…`` a
page of the attacker's. Only a web address is stored as an article's original URL and linked;
anything else stays in the raw record and is shown as text.

Public: ``is_web_url(value)``, the model field ``WebURLField`` and its validator's message.
"""

from __future__ import annotations

import re

from django import forms
from django.core.validators import URLValidator
from django.db import models

# "http://" or "https://" (any case), a host, and nothing a browser would read past: browsers
# drop tabs and newlines inside a URL ("java\nscript:" is "javascript:"), so none may appear.
_WEB_URL = re.compile(r"https?://[^\s/?#\\]\S*", re.IGNORECASE)

WEB_URL_MESSAGE = "原文链接只能是以 http:// 或 https:// 开头的网页地址；其他地址留在原始记录里，不作为链接。"

web_url_validator = URLValidator(schemes=["http", "https"], message=WEB_URL_MESSAGE)


def is_web_url(value: str) -> bool:
    """Return whether ``value`` is a web page's address (http or https), safe to put in a link."""
    return bool(value) and value.isprintable() and _WEB_URL.fullmatch(value) is not None


class WebURLFormField(forms.URLField):
    default_validators = [web_url_validator]
    default_error_messages = {"invalid": WEB_URL_MESSAGE}


class WebURLField(models.URLField):
    """A URL field that holds web addresses only, and says so in Chinese when given another.

    Migrations see a plain ``URLField`` (``deconstruct``): the column is the same, and SQLite
    would otherwise rebuild the whole articles table to change nothing in it.
    """

    default_validators = [web_url_validator]

    def formfield(self, **kwargs):
        return super().formfield(**{"form_class": WebURLFormField, **kwargs})

    def deconstruct(self):
        name, _path, args, kwargs = super().deconstruct()
        return name, "django.db.models.URLField", args, kwargs
