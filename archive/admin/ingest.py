"""Ingest review: runs with their summaries, uploads of record files, rejected records to correct and retry.

The work is the pipeline's (``archive.ingest``): these admins parse the request, call one
function and say what happened.
"""

from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied
from django.core.validators import FileExtensionValidator
from django.http import HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html, format_html_join
from django.utils.text import Truncator

from archive import tasks
from archive.ingest import template_lines
from archive.ingest.report import counts_sentence, run_summary, summary_lines
from archive.ingest.uploads import UPLOAD_EXTENSIONS, store_upload, upload_size_problem
from archive.models import IngestRejection, IngestRun, TemplateLine

from .forms import SavesOnlyChanges, TextField
from .tasks import task_link, task_url


class UploadForm(forms.Form):
    file = forms.FileField(
        label="记录文件",
        help_text="爬取的 dump（.txt）、JSON Lines（.jsonl/.json）或文章网页（.html/.htm）；也可以是 gzip 压缩的。",
        validators=[FileExtensionValidator(UPLOAD_EXTENSIONS)],
        widget=forms.FileInput(attrs={"accept": ",".join(f".{ext}" for ext in UPLOAD_EXTENSIONS)}),
        error_messages={"empty": "文件是空的：里面没有可以导入的记录。"},
    )

    def clean_file(self):
        uploaded = self.cleaned_data["file"]
        problem = upload_size_problem(uploaded, limit=settings.INGEST_UPLOAD_MAX_BYTES)
        if problem:
            raise forms.ValidationError(problem)
        return uploaded


@admin.register(IngestRun)
class IngestRunAdmin(admin.ModelAdmin):
    list_display = [
        "pk",
        "started_at",
        "origin",
        "started_by",
        "status",
        "records",
        "stored",
        "duplicates",
        "unchanged",
        "rejected",
        "paths_shown",
    ]
    list_display_links = ["pk", "started_at"]
    list_filter = ["status", "origin"]
    list_select_related = ["started_by"]
    fields = ["status", "origin", "started_by", "started_at", "finished_at", "paths_shown", "host", "pid", "report"]
    readonly_fields = fields

    def has_change_permission(self, request, obj=None):
        return False  # a run is a log entry: read, never edited

    def get_urls(self):
        upload = path("upload/", self.admin_site.admin_view(self.upload_view), name="archive_ingestrun_upload")
        return [upload, *super().get_urls()]

    def add_view(self, request, form_url="", extra_context=None):
        # A run is added by ingesting something: "Add" leads to the upload form.
        return HttpResponseRedirect(reverse("admin:archive_ingestrun_upload"))

    def upload_view(self, request):
        if not self.has_add_permission(request):
            raise PermissionDenied
        form = UploadForm(request.POST, request.FILES) if request.method == "POST" else UploadForm()
        if form.is_valid():
            uploaded = form.cleaned_data["file"]
            stored = store_upload(uploaded)
            # The worker ingests it; the curator is not kept waiting.
            result, done = tasks.run_or_queue(tasks.ingest_upload, str(stored), request.user.pk)
            if not done:
                text = format_html(
                    "已收到 {}，交给{}导入。完成后它会出现在导入批次列表中。", uploaded.name, task_link(result.id)
                )
                self.message_user(request, text, messages.SUCCESS)
                return HttpResponseRedirect(task_url(result.id))
            summary = result.return_value
            level = messages.WARNING if summary["rejected"] else messages.SUCCESS
            text = f"已导入 {uploaded.name}（导入批次 {summary['run_id']}）：{counts_sentence(summary)}。"
            self.message_user(request, text, level)
            return HttpResponseRedirect(reverse("admin:archive_ingestrun_change", args=[summary["run_id"]]))
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": "上传记录",
            "form": form,
            "max_bytes": settings.INGEST_UPLOAD_MAX_BYTES,
        }
        return TemplateResponse(request, "admin/archive/ingestrun/upload.html", context)

    @admin.display(description="路径")
    def paths_shown(self, run):
        return Truncator(", ".join(run.paths)).chars(120)

    @admin.display(description="摘要")
    def report(self, run):
        """The summary as ``manage.py ingest`` prints it, each listed rejection linked to its page."""
        lines = format_html_join("\n", "{}", ((_line_html(line),) for line in summary_lines(run_summary(run))))
        summary = format_html('<pre class="ingest-summary">{}</pre>', lines)
        if not run.rejected:
            return summary
        url = reverse("admin:archive_ingestrejection_changelist") + f"?run__id__exact={run.pk}"
        link = format_html('<p><a href="{}">导入批次 {} 的全部 {} 条被拒记录 →</a></p>', url, run.pk, run.rejected)
        return summary + link


def _line_html(line):
    if line.rejection and line.rejection.get("id"):
        url = reverse("admin:archive_ingestrejection_change", args=[line.rejection["id"]])
        return format_html('<a href="{}">{}</a>', url, line.text)
    return line.text


class RejectionForm(forms.ModelForm):
    raw = TextField(
        label="记录原文",
        required=False,
        strip=False,  # the record exactly: its hash tells a re-ingest of the same text
        widget=forms.Textarea(attrs={"rows": 20, "class": "record-text", "spellcheck": "false"}),
        help_text="读到的记录原文。在这里改正，然后点“保存并重试”重新导入。",
    )

    class Meta:
        model = IngestRejection
        fields = ["raw"]

    def clean_raw(self):
        raw = self.cleaned_data["raw"]  # with LF line ends, whatever the browser sent
        # A record whose lines all end in CRLF (a page saved on Windows) keeps them, as its file holds them.
        own = self.instance.raw
        return raw.replace("\n", "\r\n") if "\r\n" in own and own.count("\n") == own.count("\r\n") else raw


@admin.register(IngestRejection)
class IngestRejectionAdmin(SavesOnlyChanges, admin.ModelAdmin):
    form = RejectionForm
    list_display = ["path", "position", "reason", "run_link", "created_at", "retry_status"]
    list_filter = ["reason"]
    search_fields = ["path", "message"]
    list_select_related = ["run", "retried_in", "article"]
    actions = ["retry_selected"]
    readonly_fields = [
        "run_link",
        "reason",
        "message",
        "path",
        "position",
        "raw_size",
        "created_at",
        "retry_status",
        "truncation_note",
        "raw_text",
    ]

    def get_fields(self, request, obj=None):
        fields = ["run_link", "reason", "message", "path", "position", "raw_size", "created_at", "retry_status"]
        if obj is not None and obj.raw_is_truncated():
            return [*fields, "truncation_note", "raw_text"]  # only the start of it: nothing to correct
        return [*fields, "raw"]

    def has_add_permission(self, request):
        return False  # rejections come from ingest runs

    def save_model(self, request, obj, form, change):
        if "raw" in form.changed_data:
            obj.raw_size = obj.kept_bytes()  # the corrected record's size, kept whole
        super().save_model(request, obj, form, change)

    def change_view(self, request, object_id, form_url="", extra_context=None):
        rejection = self.get_object(request, unquote(object_id))
        can_retry = bool(rejection and self.has_change_permission(request, rejection) and not rejection.retry_problem())
        extra_context = {**(extra_context or {}), "can_retry": can_retry}
        return super().change_view(request, object_id, form_url, extra_context)

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        response = super().changeform_view(request, object_id, form_url, extra_context)
        # "Save and retry": the correction is committed (the admin saves in a transaction), then retried.
        if request.method == "POST" and "_retry" in request.POST and object_id and response.status_code == 302:
            rejection = self.get_object(request, unquote(object_id))
            if rejection is not None:
                self.retry(request, [rejection])
        return response

    def response_change(self, request, obj):
        if "_retry" in request.POST:
            return HttpResponseRedirect(request.path)
        return super().response_change(request, obj)

    @admin.action(description="重试所选记录", permissions=["change"])
    def retry_selected(self, request, queryset):
        self.retry(request, list(queryset))

    def retry(self, request, rejections):
        """Retry those that can be; say why the others cannot and what became of the rest."""
        retryable = []
        for rejection in rejections:
            problem = rejection.retry_problem()
            if problem:
                self.message_user(request, f"无法重试 {rejection}：{problem}。", messages.ERROR)
            else:
                retryable.append(rejection)
        if not retryable:
            return
        result, done = tasks.run_or_queue(tasks.retry_records, [r.pk for r in retryable], request.user.pk)
        if not done:
            text = format_html("{} 条记录已交给{}重试。", len(retryable), task_link(result.id))
            self.message_user(request, text, messages.SUCCESS)
            return
        summary = result.return_value
        level = messages.WARNING if summary["rejected"] else messages.SUCCESS
        counts = counts_sentence(summary, rejected="再次被拒")
        text = f"已重试 {summary['records']} 条记录（导入批次 {summary['run_id']}）：{counts}。"
        self.message_user(request, text, level)

    @admin.display(description="导入批次", ordering="run")
    def run_link(self, rejection):
        url = reverse("admin:archive_ingestrun_change", args=[rejection.run_id])
        return format_html('<a href="{}">批次 {}</a>', url, rejection.run_id)

    @admin.display(description="重试结果")
    def retry_status(self, rejection):
        if rejection.article_id:
            url = reverse("admin:archive_article_change", args=[rejection.article_id])
            return format_html('成为 <a href="{}">{}</a>', url, rejection.article.title)
        if rejection.retried_in_id:
            url = reverse("admin:archive_ingestrun_change", args=[rejection.retried_in_id])
            return format_html('在<a href="{}">批次 {}</a>中再次被拒', url, rejection.retried_in_id)
        return "未重试"

    @admin.display(description="记录不完整")
    def truncation_note(self, rejection):
        return format_html("<strong>无法重试：</strong>{}。", rejection.retry_problem())

    @admin.display(description="记录原文（开头）")
    def raw_text(self, rejection):
        return format_html('<textarea rows="20" readonly class="record-text">{}</textarea>', rejection.raw)


class TemplateFilter(admin.SimpleListFilter):
    title = "是否当作模板删去"
    parameter_name = "template"

    def lookups(self, request, model_admin):
        return [("yes", "是（删去）"), ("no", "否（保留）")]

    def queryset(self, request, queryset):
        template = {"records__gte": template_lines.MIN_RECORDS, "accounts__gte": template_lines.MIN_ACCOUNTS}
        if self.value() == "yes":
            return queryset.filter(**template)
        if self.value() == "no":
            return queryset.exclude(**template)
        return queryset


@admin.register(TemplateLine)
class TemplateLineAdmin(admin.ModelAdmin):
    """The corpus signal's counts, read only: which short lines ingest cuts as page template, and why."""

    list_display = ["text", "records", "accounts", "decision"]
    list_filter = [TemplateFilter]
    search_fields = ["text"]
    ordering = ["-records", "text"]
    fields = ["text", "records", "accounts", "decision"]
    readonly_fields = fields

    @admin.display(description="处理")
    def decision(self, line):
        seen = f"见于 {line.records} 篇报道、{line.accounts} 个账号"
        least = f"{template_lines.MIN_RECORDS} 篇、{template_lines.MIN_ACCOUNTS} 个账号"
        if line.records >= template_lines.MIN_RECORDS and line.accounts >= template_lines.MIN_ACCOUNTS:
            return f"删去：{seen}（门槛 {least}）"
        return f"保留：{seen}，未达门槛（{least}）"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
