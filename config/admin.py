"""The archive's admin site: Django's, with place names in autocompletes that say where the place is."""

from django.contrib import admin
from django.contrib.admin.views.autocomplete import AutocompleteJsonView

from archive.models import Place


class PlaceAwareAutocomplete(AutocompleteJsonView):
    """Autocomplete whose places read "府山街道 · 乡级 · 浙江省 衢州市 柯城区 · 330802003".

    Names repeat across the country, so a curator choosing a place sees its level and the places
    containing it (read in one query for the whole page of results).
    """

    def get_context_data(self, *args, **kwargs):
        context = super().get_context_data(*args, **kwargs)
        places = [obj for obj in context["object_list"] if isinstance(obj, Place)]
        codes = {code for place in places for code in place.containing_codes().values()}
        self._names = dict(Place.objects.filter(code__in=codes).values_list("code", "name")) if codes else {}
        return context

    def serialize_result(self, obj, to_field_name):
        result = super().serialize_result(obj, to_field_name)
        if isinstance(obj, Place):
            result["text"] = place_label(obj, self._names)
        return result


def place_label(place: Place, names: dict[str, str]) -> str:
    """The place's name, level, the names of the places containing it, and its code."""
    chain = [names.get(code, code) for code in place.containing_codes().values() if code != place.code]
    parts = [place.name, Place.Level(place.level).label.split("（")[0]]
    if chain:
        parts.append(" ".join(chain))
    parts.append(place.code)
    return " · ".join(parts)


class ArchiveAdminSite(admin.AdminSite):
    site_header = "地方政务报道档案 · 管理"
    site_title = "档案管理"
    index_title = "整理与审核"

    def autocomplete_view(self, request):
        return PlaceAwareAutocomplete.as_view(admin_site=self)(request)
