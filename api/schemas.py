"""What the API's endpoints return, described for the OpenAPI document (pydantic, through Ninja)."""

from __future__ import annotations

from datetime import date, datetime

from ninja import Field, Schema


class PlaceOut(Schema):
    name: str = Field(description="地名，如 北海街道")
    level: str = Field(description="级别：province、city、district、street 或 community")
    code: str = Field(description="统计用区划代码")


class DocumentOut(Schema):
    doc_number: str | None = Field(None, description="发文字号")
    issuing_body: str | None = Field(None, description="发文机关")
    written_date: date | None = Field(None, description="成文日期")
    index_number: str | None = Field(None, description="索引号")
    subject_category: str | None = Field(None, description="主题分类")


class ArticleSummary(Schema):
    id: int
    title: str
    url: str = Field(description="报道在档案中的网址")
    published: date | None = Field(None, description="发布日期")
    published_at: datetime | None = Field(None, description="发布时间（知道时）")
    made_public_at: datetime | None = Field(None, description="在档案中公开的时间")
    source: str | None = Field(None, description="来源公众号")
    places: list[PlaceOut]


class SearchHitOut(ArticleSummary):
    snippet: str = Field(description="正文摘要，检索词用 <mark> 标出（HTML）")


class FacetOut(Schema):
    value: str = Field(description="筛选时用的值（地点代码、来源名、年份）")
    name: str
    count: int


class SearchPageOut(Schema):
    count: int = Field(description="检索结果总数（翻页期间不变）")
    results: list[SearchHitOut]
    next_cursor: str | None = Field(None, description="下一页的游标；没有下一页时为 null")
    next: str | None = Field(None, description="下一页的完整网址")
    facets: dict[str, list[FacetOut]] | None = Field(None, description="分面计数，只在第一页给出")
    messages: list[str] = Field(description="对检索条件的说明（如忽略了哪个条件）")


class ArticlePageOut(Schema):
    results: list[ArticleSummary]
    next_cursor: str | None = None
    next: str | None = None


class RelatedOut(Schema):
    id: int
    title: str
    url: str


class SourceOut(Schema):
    name: str
    account_id: str | None = Field(None, description="微信号")


class ArticleOut(Schema):
    id: int
    title: str
    body: str
    url: str
    published: date | None = None
    published_at: datetime | None = None
    made_public_at: datetime | None = None
    source: SourceOut | None = None
    original_url: str = Field(description="原文网址（只给 http/https 网址）")
    reprint_note: str
    document: DocumentOut
    places: list[PlaceOut]
    duplicate_of: int | None = Field(None, description="是哪篇报道的重复稿")
    related: list[RelatedOut]


class ExportIn(Schema):
    query: str = Field("", description="检索条件，与检索页网址中的参数相同，如 q=垃圾分类&district=越城区")
    format: str = Field("csv", description="csv 或 json")


class ExportOut(Schema):
    id: int
    status: str = Field(description="queued（排队中）、running（生成中）、done（已完成）或 failed（失败）")
    query: str
    format: str
    total: int = Field(description="检索结果总数")
    rows: int = Field(description="已写入的行数")
    error: str
    created_at: datetime
    finished_at: datetime | None = None
    download: str | None = Field(None, description="完成后可下载文件的网址（需同一令牌）")


class ErrorOut(Schema):
    detail: str
