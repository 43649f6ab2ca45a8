"""My saved searches (list, save, edit, pause, delete) and the signed unsubscribe page; thin views."""

from __future__ import annotations

from functools import wraps

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.http import urlencode
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from alerts import links, webhooks
from alerts.forms import SavedSearchForm, WebhookForm
from alerts.models import SavedSearch, Webhook
from alerts.roles import can_subscribe
from search.forms import search_query
from search.views import FILTER_LABELS

CONDITION_LABELS = {"q": "关键词", **FILTER_LABELS}  # the search page's labels of its filters


def subscriber_required(view):
    """Signed in, and allowed to save searches (staff readers, curators); otherwise the sign-in page or 403."""

    @login_required
    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if not can_subscribe(request.user):
            raise PermissionDenied("您的账号不能保存检索，请联系管理员开通“staff reader”角色。")
        return view(request, *args, **kwargs)

    return wrapped


def conditions(query) -> list[dict]:
    """The saved search's conditions as the reader reads them: 关键词：垃圾分类, 区县：越城区."""
    return [{"label": label, "value": query.get(name)} for name, label in CONDITION_LABELS.items() if query.get(name)]


def _own(request, pk: int) -> SavedSearch:
    return get_object_or_404(SavedSearch, pk=pk, owner=request.user)


@subscriber_required
def saved_search_list(request):
    searches = list(request.user.saved_searches.order_by("name", "pk").prefetch_related("webhooks__posts"))
    rows = [
        {"s": s, "conditions": conditions(s.query_dict()), "feed": links.feed_path(s), "webhooks": _webhook_rows(s)}
        for s in searches
    ]
    return render(request, "alerts/list.html", {"rows": rows, "has_email": bool(request.user.email)})


@subscriber_required
def saved_search_new(request):
    source = request.POST if request.method == "POST" else request.GET
    query = urlencode(search_query(source))
    found = conditions(dict(source.items()))
    if request.method == "POST":
        form = SavedSearchForm(request.POST)
        if form.is_valid():
            saved = form.save(commit=False)
            saved.owner, saved.query = request.user, query
            saved.save()
            messages.success(request, f"已保存检索“{saved.name}”：有新报道时会通知您。")
            return redirect("alerts:list")
    else:
        default_name = "；".join(f"{c['label']}：{c['value']}" for c in found)[:100] or "全部报道"
        form = SavedSearchForm(initial={"name": default_name, "frequency": SavedSearch.Frequency.DAILY})
    return render(
        request,
        "alerts/new.html",
        {"form": form, "conditions": found, "query": query, "hidden": list(QueryDict(query).items())},
    )


@subscriber_required
def saved_search_edit(request, pk: int):
    saved = _own(request, pk)
    form = SavedSearchForm(request.POST or None, instance=saved)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, f"已保存对“{saved.name}”的修改。")
        return redirect("alerts:list")
    return _edit_page(request, saved, form=form, webhook_form=WebhookForm())


def _edit_page(request, saved: SavedSearch, *, form, webhook_form, status=200):
    context = {
        "form": form,
        "webhook_form": webhook_form,
        "s": saved,
        "conditions": conditions(saved.query_dict()),
        "feed": links.feed_path(saved),
        "webhooks": _webhook_rows(saved),
    }
    return render(request, "alerts/edit.html", context, status=status)


def _webhook_rows(saved: SavedSearch) -> list[dict]:
    rows = []
    for hook in saved.webhooks.all():
        pending = [p for p in hook.posts.all() if p.sent_at is None]
        following = min((p.next_attempt_at for p in pending), default=None)
        rows.append({"hook": hook, "pending": len(pending), "next": following})
    return rows


@subscriber_required
@require_POST
def webhook_add(request, pk: int):
    saved = _own(request, pk)
    form = WebhookForm(request.POST)
    if not form.is_valid():
        return _edit_page(request, saved, form=SavedSearchForm(instance=saved), webhook_form=form, status=400)
    hook = form.save(commit=False)
    hook.saved_search = saved
    hook.save()
    messages.success(request, f"已添加{hook.get_kind_display()}：下次有新报道时也发给它。")
    return redirect("alerts:edit", pk=saved.pk)


def _own_webhook(request, pk: int) -> Webhook:
    return get_object_or_404(Webhook.objects.select_related("saved_search"), pk=pk, saved_search__owner=request.user)


@subscriber_required
@require_POST
def webhook_resume(request, pk: int):
    hook = _own_webhook(request, pk)
    webhooks.resume(webhook=hook, now=timezone.now())
    messages.success(request, f"已恢复{hook.get_kind_display()}：没发出的消息会在下次运行时发送。")
    return redirect("alerts:edit", pk=hook.saved_search_id)


@subscriber_required
@require_POST
def webhook_delete(request, pk: int):
    hook = _own_webhook(request, pk)
    hook.delete()
    messages.success(request, f"已删除{hook.get_kind_display()}。")
    return redirect("alerts:edit", pk=hook.saved_search_id)


@subscriber_required
@require_POST
def saved_search_pause(request, pk: int):
    saved = _own(request, pk)
    if saved.paused:
        saved.paused_at, saved.paused_reason = None, ""
        messages.success(request, f"已恢复“{saved.name}”的提醒。")
    else:
        saved.paused_at, saved.paused_reason = timezone.now(), "由您暂停"
        messages.success(request, f"已暂停“{saved.name}”的提醒。")
    saved.save(update_fields=["paused_at", "paused_reason"])
    return redirect("alerts:list")


@subscriber_required
def saved_search_delete(request, pk: int):
    saved = _own(request, pk)
    if request.method == "POST":
        name = saved.name
        saved.delete()
        messages.success(request, f"已删除检索“{name}”。")
        return redirect("alerts:list")
    return render(request, "alerts/delete.html", {"s": saved})


@csrf_exempt  # the signed token is the proof; mail programs' one-click POST (RFC 8058) carries no cookie
def unsubscribe(request, token: str):
    saved = links.saved_search_for(token, links.UNSUBSCRIBE)
    if saved is None:
        return render(request, "alerts/unsubscribe.html", {"invalid": True}, status=404)
    done = False
    if request.method == "POST":
        if not saved.paused:
            saved.paused_at, saved.paused_reason = timezone.now(), "通过邮件中的退订链接暂停"
            saved.save(update_fields=["paused_at", "paused_reason"])
        done = True
    return render(request, "alerts/unsubscribe.html", {"s": saved, "done": done, "token": token})
