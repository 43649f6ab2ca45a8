"""What every curator's change form shares: text read with LF line ends, and a save that writes only changes.

A browser posts a textarea back with CRLF line ends even when nobody touched it. Read as it
comes, an unedited body differed from the stored one: the save wrote CRLF (the article page then
showed one paragraph), recorded a history row and marked the body as corrected by hand.
"""

from __future__ import annotations

from django import forms
from django.contrib.admin.widgets import AdminTimeWidget
from django.db import models

from archive.text import lf_line_ends


class TextField(forms.CharField):
    """A text input read with LF line ends: a browser's CRLF is no change."""

    def to_python(self, value):
        value = super().to_python(value)
        return lf_line_ends(value) if isinstance(value, str) else value

    def has_changed(self, initial, data):
        return super().has_changed(lf_line_ends(initial) if isinstance(initial, str) else initial, data)


def stored_changes(form: forms.ModelForm) -> list[str]:
    """The fields whose posted value differs from the stored row.

    That is ``form.changed_data`` on the change page. On django-simple-history's revert page the
    form starts from the old version, so its own ``changed_data`` tells what differs from that
    version instead; this compares with what is stored. Computed once per form.
    """
    if not hasattr(form, "stored_changes"):
        stored = form._meta.model._default_manager.filter(pk=form.instance.pk).first()
        if stored is None:
            form.stored_changes = list(form.changed_data)
        else:
            form.stored_changes = type(form)(form.data, form.files, instance=stored).changed_data
    return form.stored_changes


class SavesOnlyChanges:
    """For a ModelAdmin (listed before it): text fields read with LF line ends, and nothing written for no change.

    A change form posted without edits makes no UPDATE, so no history row, no "changed" log entry
    and no reindex; the inlines are still saved if they changed.
    """

    formfield_overrides = {
        models.CharField: {"form_class": TextField},
        models.TextField: {"form_class": TextField},
        # A time with its seconds (00:07:38): the locale's HH:MM would lose them on an unedited save.
        models.TimeField: {"widget": AdminTimeWidget(format="%H:%M:%S")},
    }

    def save_model(self, request, obj, form, change):
        if change and not stored_changes(form):
            return
        super().save_model(request, obj, form, change)

    def log_change(self, request, obj, message):
        if not message:  # nothing changed, inlines included: Django would log "没有字段被修改。"
            return None
        return super().log_change(request, obj, message)
