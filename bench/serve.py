"""Benchmark serving: the `make run` server under 50 clients while an ingest runs, beside runserver.

    python bench/serve.py [--docs 10000] [--ingest 2000] [--clients 50] [--duration 60]
                          [--warmup 15] [--setups ours,baseline] [--keep DIR]

Prepare (once; kept with ``--keep DIR``): a DATA_DIR with N synthetic articles ingested and indexed
(``manage.py migrate`` + ``manage.py ingest``), and a file of M more records whose titles start
with a marker (压测新稿) that no prepared article has.

Then for each setup, on a fresh copy of that DATA_DIR:
  * ours     — what ``make run`` starts: the Procfile under honcho (gunicorn with config/gunicorn.py,
               sized from the cores, and the two background workers);
  * baseline — today's ``make run`` before this change: ``manage.py runserver`` (threaded; DEBUG on,
               as its default was; ``--noreload`` so the serving process is the one measured).
Each is warmed up with the same load for ``--warmup`` seconds, then driven by ``--clients``
concurrent keep-alive clients for ``--duration`` seconds (each sends its next request as soon as
the last is answered, or with ``--think S`` after a pause of S seconds on average, as a reader
reading the page) with a fixed mix of requests drawn from the
prepared articles (search page 30%, article 25%, place 15%, source 10%, search API 15%, article
API 5%) while ``manage.py ingest`` stores the M marked records (it starts with the measured load).
Meanwhile, every 0.25 s, the benchmark counts the marked public articles in the database (committed)
and in the search API (searchable): the k-th article's lag is the time from the first count to reach
k to the second. Every second it reads the memory of each serving process (RSS, and USS: the pages
it alone holds).

It prints, per setup: requests/s, p50/p95/p99 latency, errors (non-2xx/3xx or failed connections),
peak RSS/USS of each serving process and its USS at the end of warm-up against the end of the run,
and the searchable lag (median, p95, max) with how many marked articles became searchable.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import random
import shutil
import signal
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from pathlib import Path

import psutil
from figures import pct  # bench/figures.py: this folder is on the path

REPO = Path(__file__).resolve().parent.parent
PY = sys.executable
MARKER = "压测新稿"
SEED = 20261202
MIX = [("search", 30), ("article", 25), ("place", 15), ("source", 10), ("api_search", 15), ("api_article", 5)]
QUERIES = ["街道", "垃圾分类", "党建", "志愿服务", "东浦", "北海街道", "社区", "乡村振兴", "疫情防控", "水", "文明"]
GOALS = {"rps": 60.0, "p95_ms": 300.0, "lag_s": 10.0}


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def manage(env: dict, *args: str, check: bool = True) -> subprocess.CompletedProcess:
    out = subprocess.run([PY, "manage.py", *args], cwd=REPO, env=env, capture_output=True, text=True)
    if check and out.returncode not in (0, 1):  # ingest exits 1 when some records were rejected
        raise SystemExit(f"manage.py {' '.join(args)} failed:\n{out.stderr[-3000:]}")
    return out


def base_env(data_dir: Path) -> dict:
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "DEBUG", "TASKS_BACKEND")}
    env.update({"DATA_DIR": str(data_dir), "PYTHONUNBUFFERED": "1"})
    return env


# -- preparing ------------------------------------------------------------------------------------


def prepare(root: Path, docs: int, ingest: int) -> tuple[Path, Path]:
    prepared, batch = root / f"prepared-{docs}", root / f"ingest-{ingest}.txt"
    if (prepared / "ready").exists() and batch.exists():
        log(f"prepared corpus of {docs} articles found in {prepared}")
        return prepared, batch
    sys.path.insert(0, str(REPO))
    from archive.ingest.synthetic import generate_dump_records

    shutil.rmtree(prepared, ignore_errors=True)
    prepared.mkdir(parents=True)
    env = base_env(prepared)
    log(f"preparing {docs} articles in {prepared} (migrate, ingest with indexing) …")
    manage(env, "migrate", "--no-input", "-v0")
    corpus = root / f"corpus-{docs}.txt"
    corpus.write_text("\n".join(generate_dump_records(docs, seed=SEED)) + "\n", encoding="utf-8")
    started = time.perf_counter()
    manage(env, "ingest", str(corpus))
    log(f"  ingested and indexed in {time.perf_counter() - started:.0f} s")
    records = []
    for record in generate_dump_records(ingest, seed=SEED + 1):
        quote = record[5]  # text:'…' or text:"…"
        records.append(record.replace("text:" + quote, "text:" + quote + MARKER, 1))
    batch.write_text("\n".join(records) + "\n", encoding="utf-8")
    (prepared / "ready").touch()
    return prepared, batch


def draw_urls(db: Path, count: int = 2000) -> list[tuple[str, str]]:
    """A fixed-seed list of (kind, path) requests drawn from the prepared articles."""
    rng = random.Random(SEED)
    con = sqlite3.connect(db)
    articles = [r[0] for r in con.execute("SELECT id FROM archive_article WHERE status='published'")]
    sources = [r[0] for r in con.execute("SELECT DISTINCT source_id FROM archive_article WHERE source_id IS NOT NULL")]
    places = [
        r[0]
        for r in con.execute(
            "SELECT DISTINCT p.code FROM archive_articleplace ap JOIN archive_place p ON p.id = ap.place_id "
            "WHERE p.level IN ('district', 'street', 'community')"
        )
    ]
    con.close()
    kinds = [kind for kind, weight in MIX for _ in range(weight)]
    urls = []
    for _ in range(count):
        kind = rng.choice(kinds)
        q = urllib.parse.quote(rng.choice(QUERIES))
        if kind == "search":
            extra = rng.choice(["", "&sort=newest", "&page=2"])
            path = f"/search/?q={q}{extra}"
        elif kind == "api_search":
            path = f"/api/search?q={q}"
        elif kind == "article":
            path = f"/articles/{rng.choice(articles)}/"
        elif kind == "api_article":
            path = f"/api/articles/{rng.choice(articles)}"
        elif kind == "place":
            path = f"/places/{rng.choice(places)}/"
        else:
            path = f"/sources/{rng.choice(sources)}/"
        urls.append((kind, path))
    return urls


# -- serving --------------------------------------------------------------------------------------


def free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(setup: str, data_dir: Path, port: int) -> subprocess.Popen:
    env = base_env(data_dir)
    if setup == "ours":
        env["BIND"] = f"127.0.0.1:{port}"
        command = [str(REPO / ".venv" / "bin" / "honcho"), "--no-colour", "-f", "Procfile", "start"]
        if not Path(command[0]).exists():
            command = [PY, "-m", "honcho", "--no-colour", "-f", "Procfile", "start"]
    else:
        env["DEBUG"] = "1"
        command = [PY, "manage.py", "runserver", "--noreload", f"127.0.0.1:{port}"]
    log_file = open(data_dir / f"server-{setup}.log", "w")  # noqa: SIM115 - closed with the process
    return subprocess.Popen(
        command, cwd=REPO, env=env, stdout=log_file, stderr=subprocess.STDOUT, start_new_session=True
    )


def wait_ready(port: int, timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            con = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            con.request("GET", "/")
            if con.getresponse().status == 200:
                return
        except OSError:
            pass
        time.sleep(0.5)
    raise SystemExit(f"the server on port {port} did not answer within {timeout} s")


def serving_processes(server: subprocess.Popen, setup: str) -> list[psutil.Process]:
    """The processes that answer requests: gunicorn's workers, or runserver itself."""
    root = psutil.Process(server.pid)
    if setup == "baseline":
        return [root]
    found = []
    for child in root.children(recursive=True):
        try:
            parent = child.parent()
            # A worker's parent is gunicorn's master (the master's is the shell honcho started).
            if "gunicorn" in " ".join(child.cmdline()) and parent.name() not in ("sh", "bash", "dash"):
                if "gunicorn" in " ".join(parent.cmdline()):
                    found.append(child)
        except psutil.Error:
            continue
    return found


def stop_server(server: subprocess.Popen) -> None:
    try:
        os.killpg(server.pid, signal.SIGINT)
        server.wait(timeout=30)
    except (ProcessLookupError, subprocess.TimeoutExpired):
        try:
            os.killpg(server.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        server.wait()


# -- load -----------------------------------------------------------------------------------------


class Client(threading.Thread):
    """One keep-alive client going through the URL list from its own offset until told to stop."""

    def __init__(self, port: int, urls: list, offset: int, stop: threading.Event, results: list, think: float = 0.0):
        super().__init__(daemon=True)
        self.port, self.urls, self.offset, self.stop, self.results = port, urls, offset, stop, results
        self.think, self.rng = think, random.Random(offset)
        self.con = None

    def fetch(self, path: str) -> int:
        for attempt in range(2):
            reused = self.con is not None
            if self.con is None:
                self.con = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
            try:
                self.con.request("GET", path, headers={"Accept-Language": "zh-CN"})
                response = self.con.getresponse()
                response.read()
                if response.getheader("Connection", "").lower() == "close":
                    self.con.close()
                    self.con = None
                return response.status
            except (http.client.RemoteDisconnected, BrokenPipeError, ConnectionResetError):
                self.con.close()
                self.con = None
                if not reused or attempt:
                    raise  # a fresh connection failed: an error (a stale keep-alive one is retried once)
        raise AssertionError("unreachable")

    def run(self):
        i = self.offset
        while not self.stop.is_set():
            kind, path = self.urls[i % len(self.urls)]
            i += 1
            started = time.perf_counter()
            try:
                status = self.fetch(path)
                error = not (200 <= status < 400)
            except Exception as exc:  # noqa: BLE001 - every failure is an error to count
                status, error = repr(exc), True
                self.con = None
            self.results.append((time.perf_counter(), kind, time.perf_counter() - started, status, error))
            if self.think:
                self.stop.wait(self.rng.expovariate(1 / self.think))  # a reader reading the page


def drive(port: int, urls: list, clients: int, seconds: float, think: float = 0.0) -> list:
    stop, results = threading.Event(), []
    threads = [Client(port, urls, i * (len(urls) // clients), stop, results, think) for i in range(clients)]
    for t in threads:
        t.start()
    time.sleep(seconds)
    stop.set()
    for t in threads:
        t.join(timeout=60)
    return results


WRK_SCRIPT = """
local paths, counter = {}, 0
setup = function(thread) thread:set("offset", counter * 997); counter = counter + 1 end
init = function(args)
  for line in io.lines(args[1]) do paths[#paths + 1] = line end
  i = offset
end
request = function()
  i = i % #paths + 1
  return wrk.format("GET", paths[i])
end
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format('WRK {"requests": %d, "seconds": %f, "p50_ms": %f, "p95_ms": %f, "p99_ms": %f, ' ..
    '"status": %d, "connect": %d, "read": %d, "write": %d, "timeout": %d}\\n',
    summary.requests, summary.duration / 1e6, latency:percentile(50) / 1e3, latency:percentile(95) / 1e3,
    latency:percentile(99) / 1e3, e.status, e.connect, e.read, e.write, e.timeout))
end
"""


def drive_wrk(port: int, urls: list, clients: int, seconds: float, work: Path) -> dict:
    """The same mix driven by wrk (C, two threads): the load costs the machine far less than Python clients."""
    paths, script = work / "paths.txt", work / "mix.lua"
    paths.write_text("\n".join(path for _, path in urls) + "\n")
    script.write_text(WRK_SCRIPT)
    command = ["wrk", "-t2", f"-c{clients}", f"-d{int(seconds)}s", "--timeout", "30s", "-s", str(script)]
    out = subprocess.run([*command, f"http://127.0.0.1:{port}", "--", str(paths)], capture_output=True, text=True)
    line = next((x for x in out.stdout.splitlines() if x.startswith("WRK ")), None)
    if line is None:
        raise SystemExit(f"wrk failed:\n{out.stdout}\n{out.stderr}")
    return json.loads(line[4:])


class Sampler(threading.Thread):
    """Counts marked articles committed and searchable, and the serving processes' memory, over time."""

    def __init__(self, port: int, db: Path, processes: list[psutil.Process]):
        super().__init__(daemon=True)
        self.port, self.db, self.processes = port, db, processes
        self.stop = threading.Event()
        self.committed: list[tuple[float, int]] = []
        self.searchable: list[tuple[float, int]] = []
        self.memory: dict[int, list[tuple[float, int, int]]] = {p.pid: [] for p in processes}
        self.last_memory = 0.0

    def run(self):
        con = sqlite3.connect(f"file:{self.db}?mode=ro", uri=True, timeout=30)
        http_con = None
        query = "/api/search?q=" + urllib.parse.quote(MARKER)
        while not self.stop.is_set():
            now = time.perf_counter()
            try:
                (count,) = con.execute(
                    "SELECT count(*) FROM archive_article WHERE status='published' AND duplicate_of_id IS NULL "
                    "AND title LIKE ?",
                    (MARKER + "%",),
                ).fetchone()
                self.committed.append((now, count))
            except sqlite3.OperationalError:
                pass
            try:
                http_con = http_con or http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
                http_con.request("GET", query)
                response = http_con.getresponse()
                body = response.read()
                if response.status == 200:
                    self.searchable.append((time.perf_counter(), json.loads(body)["count"]))
            except (OSError, http.client.HTTPException, ValueError):
                http_con = None
            if now - self.last_memory >= 1.0:
                self.last_memory = now
                for p in self.processes:
                    try:
                        info = p.memory_full_info()
                        self.memory[p.pid].append((now, info.rss, info.uss))
                    except psutil.Error:
                        pass
            self.stop.wait(0.25)
        con.close()


def lags(committed: list, searchable: list) -> list[float]:
    """For each k: first time the searchable count reached k minus first time the committed count did."""

    def first_times(series):
        out, best = {}, 0
        for t, count in series:
            for k in range(best + 1, count + 1):
                out[k] = t
            best = max(best, count)
        return out

    c, s = first_times(committed), first_times(searchable)
    return [s[k] - c[k] for k in c if k in s]


# -- one setup ------------------------------------------------------------------------------------


def measure(setup: str, prepared: Path, batch: Path, work: Path, args) -> dict:
    data_dir = work / f"run-{setup}"
    shutil.rmtree(data_dir, ignore_errors=True)
    shutil.copytree(prepared, data_dir)
    port = free_port()
    log(f"[{setup}] starting the server on :{port}")
    server = start_server(setup, data_dir, port)
    try:
        wait_ready(port)
        time.sleep(2)  # let every worker boot
        processes = serving_processes(server, setup)
        # Enough that no request repeats within a run: cached figures (related articles) earn no hits.
        urls = draw_urls(data_dir / "archive.sqlite3", count=20000)
        log(f"[{setup}] {len(processes)} serving process(es); warm-up {args.warmup} s ({args.driver})")
        if args.driver == "wrk":
            drive_wrk(port, urls, args.clients, args.warmup, data_dir)
        else:
            drive(port, urls, args.clients, args.warmup, args.think)
        sampler = Sampler(port, data_dir / "archive.sqlite3", processes)
        warm = {p.pid: p.memory_full_info() for p in processes}
        sampler.start()
        nice = ["nice", "-n", str(args.ingest_nice)] if args.ingest_nice else []
        ingest = subprocess.Popen(
            [*nice, PY, "manage.py", "ingest", str(batch)],
            cwd=REPO,
            env=base_env(data_dir),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        ingest_started = time.perf_counter()
        log(f"[{setup}] {args.clients} clients for {args.duration} s, ingesting {args.ingest} records meanwhile")
        if args.driver == "wrk":
            results, wrk_figures = [], drive_wrk(port, urls, args.clients, args.duration, data_dir)
        else:
            results, wrk_figures = drive(port, urls, args.clients, args.duration, args.think), None
        end_memory = {p.pid: p.memory_full_info() for p in processes if p.is_running()}
        ingest.wait(timeout=args.ingest_timeout)
        ingest_seconds = time.perf_counter() - ingest_started
        # Let the index catch up with the last batch (the lag is still measured, without the load).
        deadline = time.perf_counter() + 60
        while time.perf_counter() < deadline:
            c = sampler.committed[-1][1] if sampler.committed else 0
            s = sampler.searchable[-1][1] if sampler.searchable else -1
            if c and s >= c:
                break
            time.sleep(0.5)
        sampler.stop.set()
        sampler.join()
    finally:
        stop_server(server)

    latencies = [r[2] * 1000 for r in results]
    errors = [r for r in results if r[4]]
    span = (max(r[0] for r in results) - min(r[0] - r[2] for r in results)) if results else 0.0
    lag = lags(sampler.committed, sampler.searchable)
    memory = []
    for pid, samples in sampler.memory.items():
        if not samples:
            continue
        memory.append(
            {
                "pid": pid,
                "peak_rss_mb": max(s[1] for s in samples) / 2**20,
                "peak_uss_mb": max(s[2] for s in samples) / 2**20,
                "uss_after_warmup_mb": warm[pid].uss / 2**20,
                "uss_at_end_mb": end_memory[pid].uss / 2**20 if pid in end_memory else float("nan"),
            }
        )
    by_kind = {}
    for kind, _ in MIX:
        values = [r[2] * 1000 for r in results if r[1] == kind]
        if values:
            by_kind[kind] = {"n": len(values), "p50_ms": pct(values, 50), "p95_ms": pct(values, 95)}
    figures = {
        "requests": len(results),
        "rps": len(results) / span if span else 0.0,
        "p50_ms": pct(latencies, 50),
        "p95_ms": pct(latencies, 95),
        "p99_ms": pct(latencies, 99),
        "errors": len(errors),
        "error_examples": sorted({str(e[3]) for e in errors})[:5],
    }
    if wrk_figures is not None:
        w = wrk_figures
        failed = w["status"] + w["connect"] + w["read"] + w["write"] + w["timeout"]
        figures = {
            "requests": w["requests"],
            "rps": w["requests"] / w["seconds"],
            "p50_ms": w["p50_ms"],
            "p95_ms": w["p95_ms"],
            "p99_ms": w["p99_ms"],
            "errors": failed,
            "error_examples": [f"{k} {w[k]}" for k in ("status", "connect", "read", "write", "timeout") if w[k]],
        }
    return {
        "setup": setup,
        "driver": args.driver,
        **figures,
        "memory": memory,
        "lag_median_s": statistics.median(lag) if lag else float("nan"),
        "lag_p95_s": pct(lag, 95),
        "lag_max_s": max(lag) if lag else float("nan"),
        "searchable": len(lag),
        "committed": sampler.committed[-1][1] if sampler.committed else 0,
        "ingest_s": ingest_seconds,
        "by_kind": by_kind,
    }


def report(rows: list[dict], args) -> None:
    pause = f"pausing {args.think} s on average between requests" if args.think else "with no pause between requests"
    print(f"\nServing {args.docs} articles: {args.clients} clients {pause} for {args.duration} s,")
    print(f"{args.ingest} records ingested meanwhile; {os.cpu_count()} cores.")
    print(f"Goals: 0 errors, ≥ {GOALS['rps']:.0f} req/s, p95 ≤ {GOALS['p95_ms']:.0f} ms,")
    print(f"flat worker memory, new articles searchable within {GOALS['lag_s']:.0f} s of their batch's commit.\n")
    head = f"{'setup':<9} {'req/s':>7} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8} {'errors':>7}"
    head += f" {'lag p50/p95/max s':>19} {'searchable':>11} {'ingest s':>9}"
    print(head)
    for r in rows:
        lag = f"{r['lag_median_s']:.1f}/{r['lag_p95_s']:.1f}/{r['lag_max_s']:.1f}"
        line = f"{r['setup']:<9} {r['rps']:>7.1f} {r['p50_ms']:>8.0f} {r['p95_ms']:>8.0f} {r['p99_ms']:>8.0f}"
        line += f" {r['errors']:>7} {lag:>19} {r['searchable']:>5}/{r['committed']:<5} {r['ingest_s']:>9.0f}"
        print(line)
    print("\nMemory of each serving process (MB): peak RSS, peak USS, USS after warm-up → at the end")
    for r in rows:
        for m in r["memory"]:
            print(
                f"  {r['setup']:<9} pid {m['pid']:>7}: {m['peak_rss_mb']:7.0f} {m['peak_uss_mb']:7.0f}"
                f"   {m['uss_after_warmup_mb']:7.0f} → {m['uss_at_end_mb']:7.0f}"
            )
    print("\nLatency by kind (p50 / p95 ms; Python clients only)")
    for r in rows:
        if not r["by_kind"]:
            continue
        parts = [f"{k} {v['p50_ms']:.0f}/{v['p95_ms']:.0f}" for k, v in r["by_kind"].items()]
        print(f"  {r['setup']:<9} " + ", ".join(parts))
    if len(rows) == 2:
        ours, base = rows
        ratio, lower = ours["rps"] / base["rps"], base["p95_ms"] / ours["p95_ms"]
        print(f"\nours / baseline: {ratio:.1f}× req/s, p95 {lower:.1f}× lower")
    for r in rows:
        if r["error_examples"]:
            print(f"  {r['setup']} errors, e.g.: {', '.join(r['error_examples'])}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--docs", type=int, default=10000)
    parser.add_argument("--ingest", type=int, default=2000)
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--duration", type=float, default=60)
    parser.add_argument("--warmup", type=float, default=15)
    parser.add_argument(
        "--driver",
        choices=["wrk", "python"],
        default="wrk" if shutil.which("wrk") else "python",
        help="wrk (Debian's package; default when installed) or Python threads (needed for --think)",
    )
    parser.add_argument(
        "--think", type=float, default=0.0, help="mean pause of a client between requests, in seconds (0: none)"
    )
    parser.add_argument("--ingest-timeout", type=float, default=900)
    parser.add_argument("--ingest-nice", type=int, default=0, help="run the ingest at this niceness (0: as the server)")
    parser.add_argument("--setups", default="ours,baseline")
    parser.add_argument("--keep", type=Path, help="keep the prepared corpus (and the runs) in this folder")
    parser.add_argument("--json", type=Path, help="also write the figures as JSON")
    args = parser.parse_args()

    root = args.keep or Path(tempfile.mkdtemp(prefix="bench-serve-"))
    root.mkdir(parents=True, exist_ok=True)
    try:
        prepared, batch = prepare(root, args.docs, args.ingest)
        rows = [measure(setup, prepared, batch, root, args) for setup in args.setups.split(",")]
    finally:
        if not args.keep:
            shutil.rmtree(root, ignore_errors=True)
    report(rows, args)
    if args.json:
        args.json.write_text(json.dumps(rows, ensure_ascii=False, indent=2), encoding="utf-8")


if __name__ == "__main__":
    main()
