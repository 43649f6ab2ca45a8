from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, render

from search.related import related_articles

from .models import Article


def home(request):
    articles = Article.objects.public().select_related("source")
    page = Paginator(articles, 30).get_page(request.GET.get("page"))
    return render(request, "archive/home.html", {"page": page, "total": articles.count()})


def article_detail(request, pk: int):
    queryset = Article.objects.visible_to(request.user).select_related("source", "duplicate_of")
    article = get_object_or_404(queryset, pk=pk)
    links = article.place_links.select_related("place").order_by("place__code")
    context = {"article": article, "place_links": links, "related": related_articles(article)}
    return render(request, "archive/article.html", context)
