"""An index made before ``public_since`` existed keeps working: the engine adds the field when it opens it.

Each index is made as the engine made it before (its schema without the field) and holds a
document; the engine then opens it, writes a document with the field, and filters on it.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from whoosh import index as windex

from search.engine import Document, Filters, SearchRequest
from search.query import parse_query

MOMENT = datetime(2025, 6, 1, 8, 0, tzinfo=UTC)
OLD = Document(id=1, title="东浦街道垃圾分类", text="东浦街道垃圾分类工作推进会", published=date(2020, 1, 1))
NEW = Document(
    id=2,
    title="东浦街道志愿服务",
    text="东浦街道志愿服务活动",
    published=date(2025, 6, 1),
    public_since=MOMENT,
)


def ids(engine, text: str = "", **filters) -> set[int]:
    result = engine.search(SearchRequest(tree=parse_query(text).tree, filters=Filters(**filters), limit=100))
    assert result.total == len(result.ids)
    return set(result.ids)


def assert_upgraded(engine) -> None:
    """The old document still found; the new one found since its moment; the old one never by that filter."""
    engine.index([NEW])
    assert engine.count() == 2
    assert ids(engine, "东浦街道") == {OLD.id, NEW.id}
    assert ids(engine, public_since=MOMENT) == {NEW.id}
    assert ids(engine, "东浦", public_since=MOMENT - timedelta(days=3650)) == {NEW.id}
    assert ids(engine, public_since=MOMENT + timedelta(seconds=1)) == set()


def test_a_whoosh_index_made_before_public_since_gains_the_field(tmp_path):
    from search.engine.whoosh_engine import PUBLIC_SINCE, WhooshEngine, schema, stored_document
    from search.whoosh_internals import BulkWriter

    old_schema = schema()
    old_schema.remove(PUBLIC_SINCE)
    ix = windex.create_in(str(tmp_path), old_schema)
    writer = ix.writer()
    writer.add_document(**stored_document(OLD))
    writer.commit()

    engine = WhooshEngine(tmp_path)
    assert PUBLIC_SINCE in engine.schema
    assert PUBLIC_SINCE in windex.open_dir(str(tmp_path)).schema  # stored, not only this process's
    assert_upgraded(engine)

    # Merged into one segment, the old document holds no moment either (not the column's largest number).
    BulkWriter(engine.ix).commit(optimize=True)
    assert len(engine.ix.refresh()._segments()) == 1
    assert ids(engine, public_since=MOMENT) == {NEW.id}
    engine.close()

    # Opening the upgraded index again writes nothing.
    generation = windex.open_dir(str(tmp_path)).latest_generation()
    again = WhooshEngine(tmp_path)
    assert ids(again, public_since=MOMENT) == {NEW.id}
    assert again.ix.latest_generation() == generation
    again.close()


def test_a_typesense_collection_made_before_public_since_gains_the_field(request):
    from typesense.exceptions import ObjectNotFound

    from search.engine.typesense_engine import TypesenseEngine, _schema, typesense_document
    from tests.search.engine.typesense_server import API_KEY

    server = request.getfixturevalue("typesense_server")
    name = "before_public_since"
    engine = TypesenseEngine(nodes=server.nodes, api_key=API_KEY, collection=name)
    try:
        engine.client.collections[name].delete()
    except ObjectNotFound:
        pass
    old_schema = _schema(name)
    old_schema["fields"] = [f for f in old_schema["fields"] if f["name"] != "public_since"]
    engine.client.collections.create(old_schema)
    engine.client.collections[name].documents.import_([typesense_document(OLD)], {"action": "upsert"})
    before = engine.client.collections[name].retrieve()

    assert_upgraded(engine)
    fields = {f["name"]: f for f in engine.client.collections[name].retrieve()["fields"]}
    assert fields["public_since"]["type"] == "int64" and fields["public_since"]["optional"]

    # Another process that read the collection before the field was added adds it again: no error.
    late = TypesenseEngine(nodes=server.nodes, api_key=API_KEY, collection=name)
    late._add_fields(before)
    assert ids(late, public_since=MOMENT) == {NEW.id}
    engine.clear()
