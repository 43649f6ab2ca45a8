"""The archive's admin site: Django's, with place names in autocompletes that say where the place is."""

from django.contrib import admin
from django.contrib.admin.views.autocomplete import AutocompleteJsonView

from archive.browse import place_label, with_containing_places
from archive.models import Place


class PlaceAwareAutocomplete(AutocompleteJsonView):
    """Autocomplete whose places read "府山街道 · 乡级 · 浙江省 衢州市 柯城区 · 330802003".

    Names repeat across the country, so a curator choosing a place sees its level and the places
    containing it (read in one query for the whole page of results).
    """

    def get_context_data(self, *args, **kwargs):
        context = super().get_context_data(*args, **kwargs)
        places = [obj for obj in context["object_list"] if isinstance(obj, Place)]
        self._names = {p.code: p.name for p in with_containing_places(places)} if places else {}
        return context

    def serialize_result(self, obj, to_field_name):
        result = super().serialize_result(obj, to_field_name)
        if isinstance(obj, Place):
            result["text"] = place_label(obj, self._names)
        return result


class ArchiveAdminSite(admin.AdminSite):
    site_header = "地方治理报道档案 · 管理"  # one product name, as the site says it
    site_title = "地方治理报道档案 · 管理"
    index_title = "整理与审核"

    def autocomplete_view(self, request):
        return PlaceAwareAutocomplete.as_view(admin_site=self)(request)
