"""The API's docs page (``/api/``, in Chinese, listing every endpoint of the OpenAPI document) and
the staff's tokens in /alerts/tokens/ (made there, shown once, revoked there)."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.http import JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import urlencode
from django.views.decorators.http import require_POST

from alerts.views import subscriber_required
from api import exports, tokens
from api.models import ApiToken, ExportJob
from api.v1 import api
from search.forms import search_query

METHODS = ("get", "post", "put", "patch", "delete")


def endpoints() -> list[dict]:
    """Every operation of the OpenAPI document: method, path, summary, description, parameters."""
    schema = api.get_openapi_schema(path_prefix="/api/v1")
    listed = []
    for path, operations in schema["paths"].items():
        for method in METHODS:
            operation = operations.get(method)
            if operation is None:
                continue
            parameters = [
                {
                    "name": p["name"],
                    "where": {"query": "查询参数", "path": "路径参数"}.get(p["in"], p["in"]),
                    "description": p.get("description", ""),
                    "required": p.get("required", False),
                }
                for p in operation.get("parameters", [])
            ]
            if "requestBody" in operation:
                body = {"name": "JSON 请求体", "where": "请求体", "description": "见 OpenAPI 文档", "required": True}
                parameters.append(body)
            listed.append(
                {
                    "method": method.upper(),
                    "path": path,
                    "summary": operation.get("summary", ""),
                    "description": operation.get("description", ""),
                    "parameters": parameters,
                    "needs_token": "导出" in operation.get("tags", []),  # exports: a token or signing in
                }
            )
    return listed


def docs(request):
    """The docs page; a client asking for JSON (``Accept: application/json``) gets the OpenAPI document."""
    if request.get_preferred_type(["text/html", "application/json"]) == "application/json":
        return openapi(request)
    base = request.build_absolute_uri("/").rstrip("/")
    context = {"endpoints": endpoints(), "base": base, "anon_rate": settings.API_ANON_RATE_PER_MINUTE}
    return render(request, "api/docs.html", context)


def openapi(request):
    """The OpenAPI 3 document of /api/v1/ (also at /api/v1/openapi.json)."""
    return JsonResponse(api.get_openapi_schema(path_prefix="/api/v1"), json_dumps_params={"ensure_ascii": False})


@subscriber_required
def token_list(request):
    rows = list(request.user.api_tokens.order_by("-created_at"))
    return render(request, "api/tokens.html", {"tokens": rows, "new_key": request.session.pop("new_api_key", None)})


@subscriber_required
@require_POST
def token_create(request):
    name = " ".join(request.POST.get("name", "").split())[:100]
    if not name:
        messages.error(request, "请给令牌起个名字（例如用它的脚本名）。")
        return redirect("api:tokens")
    _, key = tokens.create_token(user=request.user, name=name)
    request.session["new_api_key"] = key  # shown once, on the next page
    messages.success(request, f"已创建令牌“{name}”。请现在复制保存，离开这一页后就看不到了。")
    return redirect("api:tokens")


@subscriber_required
@require_POST
def token_revoke(request, pk: int):
    token = get_object_or_404(ApiToken, pk=pk, user=request.user)
    tokens.revoke(token)
    messages.success(request, f"已吊销令牌“{token.name}”：用它的请求会被拒绝。")
    return redirect("api:tokens")


@subscriber_required
def export_list(request):
    jobs = list(request.user.export_jobs.order_by("-created_at")[:50])
    return render(request, "api/exports.html", {"jobs": jobs})


@subscriber_required
@require_POST
def export_start(request):
    """The search page's 后台导出全部: the search's parameters, as a job; then the job list."""
    query = urlencode(search_query(request.POST))
    fmt = request.POST.get("format") if request.POST.get("format") in ExportJob.Format.values else "csv"
    job = exports.create_job(user=request.user, query=query, fmt=fmt)
    messages.success(request, f"已开始导出（任务 #{job.pk}）：生成好后在这里下载。")
    return redirect("api:exports")
