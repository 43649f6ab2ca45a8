"""The article list's filters: district and street (by the tags' code ranges), year, and what is missing.

And the change list that answers an impossible date in them (the date hierarchy's
``published__year`` / ``__month`` / ``__day``) as Django answers any bad filter: the whole list again,
here with a note saying why, instead of a server error.
"""

from __future__ import annotations

from datetime import date

from django.contrib import admin, messages
from django.contrib.admin.options import IncorrectLookupParameters
from django.contrib.admin.views.main import ChangeList
from django.db.models import Exists, OuterRef
from django.db.models.functions import Substr

from archive import versions
from archive.models import CODE_LENGTHS, Article, ArticlePlace, Place

BAD_FILTER_MESSAGE = (
    "筛选条件有误：日期超出范围或不是真实的日期（年份 1–9999，月份 1–12，日为当月的日子），或数字太大。已显示全部报道。"
)


class DateSafeChangeList(ChangeList):
    """Django's change list, with an out-of-range date or number in the filters treated as a bad filter.

    Django's date hierarchy turns ``published__year`` (and month, day) into a date range in
    Python: a year of 40 digits, or the year after 9999, raises ``OverflowError`` or
    ``ValueError`` where Django only expects the latter for an impossible day.
    """

    def get_filters(self, request):
        try:
            return super().get_filters(request)
        except (IncorrectLookupParameters, ValueError, OverflowError) as exc:
            messages.error(request, BAD_FILTER_MESSAGE)
            raise IncorrectLookupParameters(exc) from exc


class DateSafeChangeListMixin:
    """For a ModelAdmin with a ``date_hierarchy``: its change list is :class:`DateSafeChangeList`."""

    def get_changelist(self, request, **kwargs):
        return DateSafeChangeList


def _places_with_tags(level: str, within: Place | None = None) -> list[tuple[str, str]]:
    """(code, label) of the places at ``level`` holding tagged articles (any status), cached until articles change."""

    def compute():
        size = CODE_LENGTHS[level]
        tags = ArticlePlace.objects.all() if within is None else ArticlePlace.objects.below(within, strictly=True)
        codes = {c for c in tags.values_list(Substr("place__code", 1, size), flat=True).distinct() if len(c) == size}
        places = Place.objects.filter(code__in=codes).select_related("parent").order_by("code")
        return [(p.code, f"{p.name}（{p.parent.name}）" if p.parent else p.name) for p in places]

    return versions.cached(f"admin-places:{level}:{within.code if within else ''}", compute)


class _PlaceFilter(admin.SimpleListFilter):
    level = ""

    def place(self) -> Place | None:
        value = self.value()
        return Place.objects.filter(code=value, level=self.level).first() if value else None

    def queryset(self, request, queryset):
        place = self.place()
        if self.value() and place is None:
            return queryset.none()
        return queryset.in_place(place, walk=True) if place else queryset


class DistrictFilter(_PlaceFilter):
    title = "区县"
    parameter_name = "district"
    level = Place.Level.DISTRICT

    def __init__(self, request, params, model, model_admin):
        self.street = request.GET.get(StreetFilter.parameter_name, "")
        super().__init__(request, params, model, model_admin)

    def lookups(self, request, model_admin):
        return _places_with_tags(self.level)

    def queryset(self, request, queryset):
        if self.value() and self.street.startswith(self.value()):
            return queryset  # a street of this district is chosen too: its filter says the same, narrower
        return super().queryset(request, queryset)


class StreetFilter(_PlaceFilter):
    """Streets and towns of the district chosen (listing every street in the country would help nobody)."""

    title = "街道/乡镇（先选区县）"
    parameter_name = "street"
    level = Place.Level.STREET

    def lookups(self, request, model_admin):
        district_code = request.GET.get(DistrictFilter.parameter_name)
        street_code = request.GET.get(self.parameter_name)
        district = None
        if district_code:
            district = Place.objects.filter(code=district_code, level=Place.Level.DISTRICT).first()
        elif street_code:  # a link straight to a street: offer that street's district's streets
            district = Place.objects.filter(code=street_code[:6], level=Place.Level.DISTRICT).first()
        return _places_with_tags(self.level, within=district) if district else []


class YearFilter(admin.SimpleListFilter):
    title = "年份"
    parameter_name = "year"

    def lookups(self, request, model_admin):
        years = versions.cached(
            "admin-years", lambda: [d.year for d in Article.objects.dates("published", "year", order="DESC")]
        )
        return [(str(year), str(year)) for year in years]

    def queryset(self, request, queryset):
        value = self.value()
        if not value:
            return queryset
        if not value.isdigit() or not 1 <= int(value) <= 9998:
            return queryset.none()
        year = int(value)
        return queryset.filter(published__gte=date(year, 1, 1), published__lt=date(year + 1, 1, 1))


class _YesNoFilter(admin.SimpleListFilter):
    options = [("yes", "是"), ("no", "否")]

    def lookups(self, request, model_admin):
        return self.options


class DateKnownFilter(_YesNoFilter):
    title = "有无日期"
    parameter_name = "dated"
    options = [("no", "无日期"), ("yes", "有日期")]

    def queryset(self, request, queryset):
        if self.value() in ("yes", "no"):
            return queryset.filter(published__isnull=self.value() == "no")
        return queryset


class PlaceKnownFilter(_YesNoFilter):
    title = "有无地点"
    parameter_name = "placed"
    options = [("no", "无地点"), ("yes", "有地点")]

    def queryset(self, request, queryset):
        tagged = Exists(ArticlePlace.objects.filter(article=OuterRef("pk")))
        if self.value() == "no":
            return queryset.filter(~tagged)
        if self.value() == "yes":
            return queryset.filter(tagged)
        return queryset


class DuplicateFilter(_YesNoFilter):
    title = "重复"
    parameter_name = "duplicate"
    options = [("yes", "是重复"), ("no", "不是重复"), ("has", "有重复")]

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.filter(duplicate_of__isnull=False)
        if self.value() == "no":
            return queryset.filter(duplicate_of__isnull=True)
        if self.value() == "has":
            return queryset.filter(Exists(Article.objects.filter(duplicate_of=OuterRef("pk"))))
        return queryset
