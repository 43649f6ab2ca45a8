"""The search index of public articles (published, not a duplicate of another)."""

from haystack import indexes
from haystack.fields import FacetCharField, FacetMultiValueField

from archive.ingest.govdoc import doc_number_key, issuing_bodies
from archive.models import Article

PLACE_LEVELS = ("province", "city", "district", "street", "community")


class ArticleIndex(indexes.SearchIndex, indexes.Indexable):
    # Title and body: searched, highlighted, and the source of "more like this".
    text = indexes.CharField(document=True)
    title = indexes.CharField(model_attr="title", boost=3.0)
    source = indexes.CharField(null=True)
    published = indexes.DateField(model_attr="published", null=True)

    # Facets: exact values, never tokenized. Places are statistical codes (names repeat across
    # the country: 府山街道 is in 越城区 and in 柯城区); the page shows their names.
    source_exact = FacetCharField(null=True)
    year = FacetCharField(null=True)
    province = FacetMultiValueField()
    city = FacetMultiValueField()
    district = FacetMultiValueField()
    street = FacetMultiValueField()
    community = FacetMultiValueField()
    # Government documents: the 发文字号 in its one normalised form (越政发〔2020〕3号, whatever the
    # brackets on the page), searched exactly; each 发文机关 of the document, filtered and faceted.
    doc_number = FacetCharField(null=True)
    issuer = FacetMultiValueField()
    # When the article last became public (saved-search alerts ask for what is new since a moment);
    # an article public since before that was recorded counts from its creation.
    public_since = indexes.DateTimeField(null=True)

    def get_model(self):
        return Article

    def index_queryset(self, using=None):
        return self.get_model().objects.public().select_related("source").prefetch_related("places")

    def read_queryset(self, using=None):
        return self.index_queryset(using)

    def should_update(self, instance, **kwargs):
        return instance.status == Article.Status.PUBLISHED and instance.duplicate_of_id is None

    def prepare_text(self, obj):
        return f"{obj.title}\n\n{obj.body}"

    def prepare_source(self, obj):
        return obj.source.name if obj.source else None

    def prepare_source_exact(self, obj):
        return obj.source.name if obj.source else None

    def prepare_year(self, obj):
        return str(obj.published.year) if obj.published else None

    def prepare_doc_number(self, obj):
        return doc_number_key(obj.doc_number or "")

    def prepare_issuer(self, obj):
        return issuing_bodies(obj.issuing_body or "")

    def prepare_public_since(self, obj):
        return obj.made_public_at or obj.created_at

    def prepare(self, obj):
        data = super().prepare(obj)
        # Each level's field holds the places the article is in at that level: those it is tagged
        # with and those containing them (a code's prefixes), so a street's article is in its district.
        codes: dict[str, set[str]] = {level: set() for level in PLACE_LEVELS}
        for place in obj.places.all():
            for level, code in place.containing_codes().items():
                codes[level].add(code)
        data.update({level: sorted(values) for level, values in codes.items()})
        return data
