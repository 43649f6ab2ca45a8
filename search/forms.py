"""The one search form: GET parameters of the search page, the API and (later) feeds and exports."""

from __future__ import annotations

from django import forms

from archive.ingest.govdoc import doc_number_key
from archive.models import Article, Place, Source
from archive.place_names import short_forms

SORTS = (("relevance", "相关度"), ("newest", "最新"), ("oldest", "最早"))
PAGE_SIZE = 20
MAX_PAGE = 50  # 1,000 results deep; narrow the search to go further


# What a search is (every parameter but the page): what a saved search, a cursor and an export keep.
SEARCH_PARAMETERS = ("q", "district", "street", "place", "source", "issuer", "date_from", "date_to", "sort")


def search_query(values) -> list[tuple[str, str]]:
    """The search's non-empty parameters of ``values`` (a QueryDict or a dict), trimmed, in one order."""
    pairs = [(name, (values.get(name) or "").strip()) for name in SEARCH_PARAMETERS]
    return [(name, value) for name, value in pairs if value]


class SearchForm(forms.Form):
    q = forms.CharField(required=False, label="关键词", strip=True)
    district = forms.CharField(required=False, label="区县")
    street = forms.CharField(required=False, label="街道/乡镇")
    place = forms.CharField(required=False, label="地点")  # a code of any level: search within a place page
    source = forms.CharField(required=False, label="来源公众号")
    issuer = forms.CharField(required=False, label="发文机关")
    date_from = forms.DateField(required=False, label="起始日期", input_formats=["%Y-%m-%d"])
    date_to = forms.DateField(required=False, label="截止日期", input_formats=["%Y-%m-%d"])
    sort = forms.ChoiceField(required=False, choices=SORTS, label="排序")
    page = forms.IntegerField(required=False, min_value=1, label="页码")

    error_messages_zh = {
        "date_from": "起始日期应为 YYYY-MM-DD 格式的真实日期（例如 2018-09-11），已忽略。",
        "date_to": "截止日期应为 YYYY-MM-DD 格式的真实日期（例如 2018-09-11），已忽略。",
        "sort": "排序只能是 relevance、newest 或 oldest，已按默认排序。",
        "page": "页码应为正整数，已显示第 1 页。",
    }

    def clean_district(self):
        return self._place_codes("district", Place.Level.DISTRICT)

    def clean_street(self):
        return self._place_codes("street", Place.Level.STREET)

    def clean_place(self):
        value = self.cleaned_data.get("place", "").strip()
        if not value:
            return None
        places = find_places(value)
        if not places:
            raise forms.ValidationError(f"没有代码或名称为“{value[:20]}”的地点，已忽略这个条件。")
        if len(places) > 1:
            raise forms.ValidationError(_ambiguous(value, places))
        return places[0]

    def _place_codes(self, name: str, level: str) -> list[Place]:
        """The places of ``level`` a code, a full name (all namesakes: 府山街道) or a short form (昆山) means."""
        value = self.cleaned_data.get(name, "").strip()
        if not value:
            return []
        places = list(Place.objects.filter(level=level, code=value)) if value.isdigit() else []
        if not places:
            places = list(Place.objects.filter(level=level, name=value).order_by("code"))
        if not places:
            places = _by_short_form(value, (level,))
            if len(places) > 1:
                raise forms.ValidationError(_ambiguous(value, places))
        if not places:
            raise forms.ValidationError(f"没有叫“{value[:50]}”的{self.fields[name].label}，已忽略这个条件。")
        return places

    def clean_source(self):
        value = self.cleaned_data.get("source", "").strip()
        if value and not Source.objects.filter(name=value).exists():
            raise forms.ValidationError(f"没有叫“{value[:50]}”的来源公众号，已忽略这个条件。")
        return value

    def clean_issuer(self):
        value = self.cleaned_data.get("issuer", "").strip()
        if value and not Article.objects.filter(issuing_body__contains=value).exists():
            raise forms.ValidationError(f"没有发文机关为“{value[:50]}”的文件，已忽略这个条件。")
        return value

    def clean(self):
        data = super().clean()
        start, end = data.get("date_from"), data.get("date_to")
        if start and end and start > end:
            data["date_from"], data["date_to"] = end, start
            self.notes.append("起始日期晚于截止日期，已互换。")
        page = data.get("page") or 1
        if page > MAX_PAGE:
            self.notes.append(f"最多翻到第 {MAX_PAGE} 页；请加筛选条件或换更具体的关键词。")
            page = MAX_PAGE
        data["page"] = page
        data["sort"] = data.get("sort") or ""
        return data

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.notes: list[str] = []

    def search_params(self) -> dict:
        """Cleaned parameters; an invalid one is dropped and explained in ``self.notes``."""
        self.is_valid()
        params = {}
        for name in self.fields:
            if name in self.errors:
                message = self.error_messages_zh.get(name) or " ".join(self.errors[name])
                self.notes.append(message)
                params[name] = [] if name in ("district", "street") else None
            else:
                params[name] = self.cleaned_data.get(name)
        params["page"] = params.get("page") or 1
        params["sort"] = params.get("sort") or ""
        params["q"] = params.get("q") or ""
        # A query that is a document number (越政发〔2020〕3号, 越政发[2020]3号, 越政发2020年3号) is
        # looked up by its normalised form, whatever brackets the page or the searcher used.
        params["doc_number"] = doc_number_key(params["q"])
        return params


# Levels a short form is looked up at, and how many candidates an ambiguity message lists.
_SHORT_FORM_LEVELS = (Place.Level.PROVINCE, Place.Level.CITY, Place.Level.DISTRICT, Place.Level.STREET)
_MAX_LISTED = 8


def find_places(value: str) -> list[Place]:
    """The places a ``place`` value means: a code, else a full name, else a short form (昆山 → 昆山市).

    A short form that is some division's full name is that one (苏州市); a short form is tried at
    the highest level first, so 杭州 is the city, not a 杭州 town if there were one.
    """
    value = value.strip()
    if value.isdigit():
        return list(Place.objects.filter(code=value))
    places = list(Place.objects.filter(name=value).order_by("code"))
    if places:
        return places
    for level in _SHORT_FORM_LEVELS:
        places = _by_short_form(value, (level,))
        if places:
            return places
    return []


def _by_short_form(value: str, levels) -> list[Place]:
    if len(value) < 2:
        return []
    rows = Place.objects.filter(level__in=levels, name__startswith=value).order_by("code")
    return [p for p in rows if value in short_forms(p.name, p.level)]


def _ambiguous(value: str, places: list[Place]) -> str:
    """A Chinese message listing the places a name may mean, each with its province and city, and its code."""
    parents = {p.code: p.name for p in Place.objects.filter(code__in={c for p in places for c in _above(p)})}
    listed = []
    for place in places[:_MAX_LISTED]:
        chain = " ".join(parents[c] for c in _above(place) if c in parents)
        listed.append(f"{place.name}（{chain + '，' if chain else ''}代码 {place.code}）")
    more = f"等 {len(places)} 处" if len(places) > _MAX_LISTED else f"共 {len(places)} 处"
    return f"“{value[:20]}”可指多个地点：{'、'.join(listed)}{more}。请改用代码或全称，已忽略这个条件。"


def _above(place: Place) -> list[str]:
    return [code for code in place.containing_codes().values() if code != place.code]
