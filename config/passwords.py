"""Password rules: Django's validators, with the "too short" message in the site's language again.

Django 5.2.19 asks for this message under a msgid (``…at least %d character.``) that its own
translations don't have (they still translate ``…at least %(min_length)d character.``), so under
zh-hans it was shown in English. Asking under the older msgid uses Django's Chinese translation.
"""

from django.contrib.auth import password_validation
from django.utils.translation import ngettext


class MinimumLengthValidator(password_validation.MinimumLengthValidator):
    def get_error_message(self):
        return ngettext(
            "This password is too short. It must contain at least %(min_length)d character.",
            "This password is too short. It must contain at least %(min_length)d characters.",
            self.min_length,
        ) % {"min_length": self.min_length}
