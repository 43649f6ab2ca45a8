"""The archive's API, version 1 (``/api/v1/``): Django Ninja describes every endpoint in OpenAPI 3
(``/api/v1/openapi.json``); ``/api/`` is the human docs page, in Chinese.

Every endpoint answers anonymous calls (a lower rate) and calls with a token; exports need a token
or a signed-in user. Errors are JSON ``{"detail": "…"}`` in Chinese, never a 500 for odd input.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404
from ninja import NinjaAPI, Query, Status
from ninja.errors import AuthenticationError, HttpError, Throttled, ValidationError
from ninja.renderers import JSONRenderer

from api import exports, services
from api.auth import Anonymous, BearerToken, SignedIn, caller_user
from api.cursors import BadCursor
from api.limits import PerMinute
from api.models import ExportJob
from api.schemas import ArticleOut, ArticlePageOut, ErrorOut, ExportIn, ExportOut, SearchPageOut
from archive.models import Article

DESCRIPTION = """地方治理报道档案的检索与数据接口。返回 JSON（UTF-8）。

* 不带令牌也能用（每个地址每分钟请求数较少）；带令牌（请求头 `Authorization: Bearer gra_…`）时按令牌自己的上限计。
* 超过上限时返回 429，`Retry-After` 头说明多少秒后再试。
* 翻页用游标：把上一页返回的 `next_cursor` 原样放进 `cursor` 参数，其他参数保持不变，直到 `next_cursor` 为 null。
* 说明页：`/api/`。
"""


class ChineseJSON(JSONRenderer):
    """UTF-8 JSON with the Chinese as characters, not \\u escapes."""

    json_dumps_params = {"ensure_ascii": False}


class ArchiveAPI(NinjaAPI):
    def get_openapi_schema(self, *args, **kwargs):
        """Ninja's document, saying which operations also answer without a token (``{}``)."""
        schema = super().get_openapi_schema(*args, **kwargs)
        for operations in schema["paths"].values():
            for operation in operations.values():
                if "导出" not in operation.get("tags", ()) and {} not in operation.get("security", []):
                    operation.setdefault("security", []).append({})
        return schema


api = ArchiveAPI(
    title="地方治理报道档案 API",
    version="1",
    description=DESCRIPTION,
    urls_namespace="api-v1",
    docs_url=None,  # the docs page is /api/ (ours, in Chinese, no scripts from elsewhere)
    auth=[BearerToken(), Anonymous()],
    throttle=[PerMinute()],
    renderer=ChineseJSON(),
)
STAFF = [BearerToken(), SignedIn()]
ERRORS = {400: ErrorOut, 401: ErrorOut, 404: ErrorOut, 422: ErrorOut, 429: ErrorOut}


def _absolute(request):
    return request.build_absolute_uri


@api.exception_handler(BadCursor)
def bad_cursor(request, exc):
    return api.create_response(request, {"detail": str(exc)}, status=400)


@api.exception_handler(AuthenticationError)
def unauthorized(request, exc):
    detail = "令牌无效或已吊销：请检查 Authorization: Bearer 后面的令牌，或去掉这个请求头匿名使用。"
    if not request.META.get("HTTP_AUTHORIZATION"):
        detail = "这个接口需要令牌（Authorization: Bearer gra_…）或登录。"
    return api.create_response(request, {"detail": detail}, status=401)


@api.exception_handler(Throttled)
def throttled(request, exc):
    wait = max(1, round(exc.wait or 60))
    response = api.create_response(request, {"detail": f"请求太频繁，请 {wait} 秒后再试。"}, status=429)
    response["Retry-After"] = str(wait)
    return response


@api.exception_handler(ValidationError)
def invalid(request, exc):
    names = sorted({str(error["loc"][-1]) for error in exc.errors if error.get("loc")})
    shown = "、".join(names) or "请求"
    return api.create_response(request, {"detail": f"参数 {shown} 的值不对，请对照 /api/ 的说明。"}, status=422)


@api.exception_handler(Http404)
def not_found(request, exc):
    return api.create_response(request, {"detail": "没有这篇报道或这个导出任务。"}, status=404)


@api.get("/search", response={200: SearchPageOut, **ERRORS}, summary="检索报道", tags=["检索"])
def search(
    request,
    q: str = Query("", description='关键词，语法同检索页：空格分开的词都要出现，"短语"，A OR B，-排除，title:词'),
    district: str = Query("", description="区县：名称（越城区）或代码"),
    street: str = Query("", description="街道/乡镇：名称（北海街道）或代码"),
    place: str = Query("", description="任一级地点的代码或名称"),
    source: str = Query("", description="来源公众号的名称"),
    issuer: str = Query("", description="发文机关"),
    date_from: str = Query("", description="起始日期 YYYY-MM-DD"),
    date_to: str = Query("", description="截止日期 YYYY-MM-DD"),
    sort: str = Query("", description="relevance（相关度）、newest（最新）或 oldest（最早）"),
    limit: int = Query(20, ge=1, le=100, description="每页条数，1–100"),
    cursor: str = Query("", description="上一页返回的 next_cursor"),
):
    """检索结果，按游标逐页取完（不限于前 1,000 篇）。翻页期间新公开的报道不会打乱页码。"""
    return services.search_page(
        query=request.GET, limit=limit, cursor=cursor, absolute=_absolute(request), path=request.path
    )


@api.get("/articles", response={200: ArticlePageOut, **ERRORS}, summary="逐篇列出全部报道", tags=["报道"])
def articles(
    request,
    limit: int = Query(100, ge=1, le=500, description="每页条数，1–500"),
    cursor: str = Query("", description="上一页返回的 next_cursor"),
    since: datetime | None = Query(
        None, description="只要这个时间以后公开的报道（ISO 8601，如 2026-12-01T00:00:00+08:00）"
    ),
):
    """全部公开报道，按编号从旧到新，用游标逐页取完。配合 since 可以只取新增的。"""
    return services.articles_page(
        limit=limit, cursor=cursor, since=since, absolute=_absolute(request), path=request.path
    )


@api.get(
    "/articles/{article_id}", response={200: ArticleOut, **ERRORS}, summary="一篇报道的全文和元数据", tags=["报道"]
)
def article(request, article_id: int):
    """标题、正文、日期、来源、地点、公文信息和相关报道。"""
    found = get_object_or_404(
        Article.objects.public().select_related("source").prefetch_related("places"), pk=article_id
    )
    return services.article_detail(found, _absolute(request))


def _export_out(request, job: ExportJob) -> dict:
    download = None
    if job.status == ExportJob.Status.DONE:
        download = request.build_absolute_uri(f"/api/v1/exports/{job.pk}/download")
    return {
        "id": job.pk,
        "status": job.status,
        "query": job.query,
        "format": job.format,
        "total": job.total,
        "rows": job.rows,
        "error": job.error,
        "created_at": job.created_at,
        "finished_at": job.finished_at,
        "download": download,
    }


@api.post("/exports", response={202: ExportOut, **ERRORS}, auth=STAFF, summary="在后台导出检索结果", tags=["导出"])
def export_create(request, body: ExportIn):
    """把检索的全部结果（最多 EXPORT_JOB_MAX_ROWS 行）写成 CSV 或 JSON 文件；完成后用 download 网址下载。"""
    if body.format not in ExportJob.Format.values:
        raise HttpError(400, "format 只能是 csv 或 json。")
    job = exports.create_job(user=caller_user(request), query=body.query.lstrip("?"), fmt=body.format)
    return Status(202, _export_out(request, job))


def _own_job(request, job_id: int) -> ExportJob:
    return get_object_or_404(ExportJob, pk=job_id, user=caller_user(request))


@api.get("/exports/{job_id}", response={200: ExportOut, **ERRORS}, auth=STAFF, summary="导出任务的进度", tags=["导出"])
def export_status(request, job_id: int):
    """状态、已写入行数；完成后给出下载网址。"""
    return _export_out(request, _own_job(request, job_id))


@api.get(
    "/exports/{job_id}/download", auth=STAFF, summary="下载导出的文件", tags=["导出"], response={200: None, **ERRORS}
)
def export_download(request, job_id: int):
    """导出完成后的文件（CSV 带 BOM，便于 Excel 识别中文）。"""
    job = _own_job(request, job_id)
    if job.status != ExportJob.Status.DONE or not job.file:
        raise HttpError(404, "文件还没有生成好：请先查看任务状态。")
    path = exports.folder() / Path(job.file).name
    content_type = "text/csv; charset=utf-8" if job.format == "csv" else "application/json; charset=utf-8"
    return FileResponse(
        path.open("rb"), as_attachment=True, filename=f"archive-export-{job.pk}.{job.format}", content_type=content_type
    )
