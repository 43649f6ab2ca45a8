"""The one search form: GET parameters of the search page, the API and (later) feeds and exports."""

from __future__ import annotations

from django import forms

from archive.ingest.govdoc import doc_number_key
from archive.models import Article, Place, Source

SORTS = (("relevance", "相关度"), ("newest", "最新"), ("oldest", "最早"))
PAGE_SIZE = 20
MAX_PAGE = 50  # 1,000 results deep; narrow the search to go further


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
        place = Place.objects.filter(code=value).first() if value.isdigit() else None
        if place is None:
            raise forms.ValidationError(f"没有代码为“{value[:20]}”的地点，已忽略这个条件。")
        return place

    def _place_codes(self, name: str, level: str) -> list[Place]:
        value = self.cleaned_data.get(name, "").strip()
        if not value:
            return []
        places = list(Place.objects.filter(level=level, code=value)) if value.isdigit() else []
        if not places:
            places = list(Place.objects.filter(level=level, name=value).order_by("code"))
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
