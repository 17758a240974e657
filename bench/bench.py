"""Load benchmark of the chat JSON API against real daphne processes.

Checks the "Performance budget" of DESIGN.md. Run it from the project root:

    make bench                                   # both databases, 10 s per load phase
    make bench BENCH_ARGS="--quick --db sqlite"  # a smoke run, about a minute
    .venv/bin/python bench/bench.py --db postgres --workers 2

For each database (SQLite in a temp file; PostgreSQL in a database ``bench_chat`` on
127.0.0.1:5432, dropped and recreated) it migrates a fresh database, starts ``--workers``
daphne processes, and measures with an asyncio + httpx load generator (one keep-alive client
per simulated user, clients spread round-robin over the processes):

  a. appends/s and p50/p99 with 32 clients on 32 sessions (one each);
  b. the same with 32 clients on one session;
  c. an 80/20 read/append mix over 1,000 sessions;
  d. sequential state-read and append latency on sessions with 10, 1,000 and 10,000
     messages of history (inserted in bulk with the ORM), and the size of a state response.

Only 2xx answers count as successes. After the load it checks that every acknowledged append
is stored exactly once (no lost or duplicated writes). It prints a table per database, writes
bench/results/<timestamp>.json, stops every process it started and drops what it created.
The exit status is 1 when any request failed or a write went missing.

This is a benchmark, not a test: the load generator shares the machine's cores with the
server and the database, so figures vary by a few percent from run to run.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import math
import os
import platform
import random
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
RESULTS_DIR = ROOT / "bench" / "results"

# DESIGN.md, "Performance budget": the replaced design (one Durable Object per session).
REFERENCE = {
    "append_many_sessions": 1100.0,  # appends/s, 32 clients on 32 sessions
    "append_one_session": 460.0,  # appends/s, 32 clients on one session
    "mixed": 2200.0,  # requests/s, 80/20 read/append over 1,000 sessions
}
REFERENCE_HISTORY = "+0.65 ms per 1,000 messages, fails at ~8,900 messages (2 MB value limit)"
HISTORY_RATIO_TARGET = 1.20  # append p50 at the longest history within 20% of the shortest

SERVER_ENV = {
    "DJANGO_SETTINGS_MODULE": "tutoring.settings",
    "SECRET_KEY": "bench-only-secret-key-not-for-production",
    "DEBUG": "false",
    "ALLOWED_HOSTS": "127.0.0.1,localhost",
    # The load is far above a person's rate limits, and logs one line per request.
    "RATELIMIT_ENABLE": "false",
    "SECURE_SSL_REDIRECT": "false",
    # DEBUG off refuses the console mail backend; the benchmark books nothing anyway.
    "EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend",
}

CLK_TCK = os.sysconf("SC_CLK_TCK")
USER_TEXT = "Can I get help with Python on Monday around 10? I'm working on CS 110A loops."
ASSISTANT_TEXT = (
    "Sure! Jordan tutors Python and CS 110A on Mondays 09:30-11:00 online. "
    "Would you like to book a session with them?"
)


class BenchError(Exception):
    """Something went wrong preparing or running the benchmark itself."""


def say(text: str = "") -> None:
    print(text, flush=True)


def shout(text: str) -> None:
    """Print an error so nobody can miss it."""
    bar = "!" * 78
    print(f"\n{bar}\n!!! {text}\n{bar}", file=sys.stderr, flush=True)


# --- statistics -----------------------------------------------------------------------------


def percentile(values: list[float], pct: float) -> float | None:
    """Nearest-rank percentile of ``values`` (None when empty)."""
    if not values:
        return None
    ordered = sorted(values)
    rank = max(1, math.ceil(pct / 100 * len(ordered)))
    return ordered[rank - 1]


def summary(latencies: list[float], seconds: float | None = None) -> dict:
    """Count, rate and latency percentiles (ms) of successful requests."""
    result = {
        "ok": len(latencies),
        "p50_ms": _ms(percentile(latencies, 50)),
        "p99_ms": _ms(percentile(latencies, 99)),
        "mean_ms": _ms(sum(latencies) / len(latencies)) if latencies else None,
        "max_ms": _ms(max(latencies)) if latencies else None,
    }
    if seconds:
        result["per_second"] = round(len(latencies) / seconds, 1)
    return result


def _ms(seconds: float | None) -> float | None:
    return None if seconds is None else round(seconds * 1000, 2)


@dataclass
class Errors:
    """Non-2xx answers and exceptions, by phase; a few samples of each kind are kept."""

    counts: Counter = field(default_factory=Counter)
    samples: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))

    def add(self, phase: str, what: str, detail: str) -> None:
        key = f"{phase}: {what}"
        self.counts[key] += 1
        if len(self.samples[key]) < 3:
            self.samples[key].append(detail[:300])

    def total(self, phase: str | None = None) -> int:
        return sum(n for key, n in self.counts.items() if phase is None or key.startswith(phase))

    def as_json(self) -> dict:
        return {key: {"count": n, "samples": self.samples[key]} for key, n in self.counts.items()}


@dataclass
class Tracked:
    """What the load generator knows about one session, to check for lost writes later."""

    base: int  # messages the session had before the benchmark appended any
    acked_seqs: list[int] = field(default_factory=list)
    uncertain: int = 0  # appends that failed in a way that may still have committed


# --- CPU accounting ---------------------------------------------------------------------------


def _proc_cpu(pid: int) -> float:
    """CPU seconds (user + system) used so far by process ``pid``; 0 if it is gone."""
    try:
        data = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return 0.0
    fields = data[data.rindex(")") + 2 :].split()
    return (int(fields[11]) + int(fields[12])) / CLK_TCK


def _postgres_pids() -> list[int]:
    pids = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            with contextlib.suppress(OSError):
                if (entry / "comm").read_text().strip() == "postgres":
                    pids.append(int(entry.name))
    return pids


def _machine_cpu() -> tuple[float, float]:
    """(busy, total) CPU seconds of the whole machine so far, from /proc/stat."""
    values = [int(v) for v in Path("/proc/stat").read_text().splitlines()[0].split()[1:]]
    idle = values[3] + values[4]  # idle + iowait
    total = sum(values[:8])  # guest time is already counted in user
    return (total - idle) / CLK_TCK, total / CLK_TCK


@dataclass
class CpuSnapshot:
    wall: float
    servers: float
    postgres: float
    bench: float
    busy: float
    total: float

    @classmethod
    def take(cls, server_pids: list[int]) -> CpuSnapshot:
        times = os.times()
        busy, total = _machine_cpu()
        return cls(
            wall=time.monotonic(),
            servers=sum(_proc_cpu(pid) for pid in server_pids),
            postgres=sum(_proc_cpu(pid) for pid in _postgres_pids()),
            bench=times.user + times.system,
            busy=busy,
            total=total,
        )

    def cores_since(self, start: CpuSnapshot) -> dict:
        """Average cores used by each party between two snapshots."""
        wall = self.wall - start.wall
        if wall <= 0:
            return {}
        ncpu = (self.total - start.total) / wall  # cores the kernel accounted for
        servers = (self.servers - start.servers) / wall
        postgres = (self.postgres - start.postgres) / wall
        bench = (self.bench - start.bench) / wall
        busy = (self.busy - start.busy) / wall
        return {
            "daphne": round(servers, 2),
            "postgres": round(postgres, 2),
            "loadgen": round(bench, 2),
            "other": round(max(0.0, busy - servers - postgres - bench), 2),
            "idle": round(max(0.0, ncpu - busy), 2),
        }


# --- databases and servers --------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def child_env(database_url: str, **extra: str) -> dict[str, str]:
    return {**os.environ, **SERVER_ENV, "DATABASE_URL": database_url, **extra}


class PostgresDatabase:
    """A dedicated benchmark database, dropped and recreated, dropped again at the end."""

    def __init__(self, base_url: str, name: str) -> None:
        self.base_url = base_url.rstrip("/")
        self.name = name
        self.url = f"{self.base_url}/{name}"

    def _admin(self):
        import psycopg

        last = None
        for maintenance in ("postgres", "test"):
            try:
                return psycopg.connect(
                    f"{self.base_url}/{maintenance}", autocommit=True, connect_timeout=5
                )
            except psycopg.OperationalError as exc:
                last = exc
        raise BenchError(f"cannot connect to PostgreSQL at {self.base_url}: {last}")

    def _run(self, statement: str) -> None:
        from psycopg import sql

        with self._admin() as conn:
            conn.execute(sql.SQL(statement).format(sql.Identifier(self.name)))

    def create(self) -> None:
        self.drop()
        self._run("CREATE DATABASE {}")

    def drop(self) -> None:
        self._run("DROP DATABASE IF EXISTS {} WITH (FORCE)")


class Server:
    """One daphne process serving the project on a free port."""

    def __init__(self, database_url: str, log_dir: Path, index: int) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log_path = log_dir / f"daphne-{index}.log"
        self.env = child_env(database_url)
        self.process: subprocess.Popen | None = None

    def start(self) -> None:
        with self.log_path.open("wb") as log:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "daphne", "-v", "0", "-b", "127.0.0.1"]
                + ["-p", str(self.port), "tutoring.asgi:application"],
                cwd=ROOT,
                env=self.env,
                stdout=log,
                stderr=subprocess.STDOUT,
            )

    def wait_healthy(self, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise BenchError(f"daphne on {self.port} exited early:\n{self.output()}")
            try:
                if httpx.get(f"{self.url}/health", timeout=2).status_code == 200:
                    return
            except httpx.TransportError:
                pass
            time.sleep(0.1)
        raise BenchError(f"daphne on {self.port} did not become healthy:\n{self.output()}")

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        self.process.terminate()  # by PID: Popen.terminate signals exactly this process
        try:
            self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()

    def output(self) -> str:
        try:
            return self.log_path.read_text(errors="replace")
        except OSError:
            return ""


def migrate(database_url: str) -> None:
    done = subprocess.run(
        [sys.executable, "manage.py", "migrate", "--no-input", "-v", "0"],
        cwd=ROOT,
        env=child_env(database_url),
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        raise BenchError(f"migrate failed:\n{done.stdout}{done.stderr}")


def fill_histories(database_url: str, sizes: list[int]) -> dict[int, tuple[str, str]]:
    """Create one session per size with that many messages, in a child process (see below).

    Return ``{size: (session id, access token)}``.
    """
    done = subprocess.run(
        [sys.executable, __file__, "--fill-history", ",".join(str(n) for n in sizes)],
        cwd=ROOT,
        env=child_env(database_url, DATABASE_POOL="false"),
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        raise BenchError(f"filling histories failed:\n{done.stdout}{done.stderr}")
    return {
        int(size): (made["id"], made["token"]) for size, made in json.loads(done.stdout).items()
    }


def fill_history_main(sizes: list[int]) -> None:
    """The child process of ``fill_histories``: Django set up on the bench DATABASE_URL.

    Each session gets messages with seq 1..N (contiguous, alternating roles) and
    ``last_seq = N``, inserted with ``bulk_create`` in one transaction: the state the
    store would have left after N appends, without N round trips. It also gets an access
    token (printed, with the id, for the load generator), as the API would have issued.
    """
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.db import connection, transaction

    from chat.credentials import new_secret, secret_hash
    from chat.models import ChatMessage, ChatSession

    created = {}
    for size in sizes:
        token = new_secret()
        with transaction.atomic():
            session = ChatSession.objects.create(
                last_seq=size, version=size, access_token_hash=secret_hash(token)
            )
            ChatMessage.objects.bulk_create(
                (
                    ChatMessage(
                        session=session,
                        seq=seq,
                        role="assistant" if seq % 2 else "user",
                        content=f"{ASSISTANT_TEXT if seq % 2 else USER_TEXT} (#{seq})",
                    )
                    for seq in range(1, size + 1)
                ),
                batch_size=2000,
            )
        created[size] = {"id": session.id, "token": token}
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    print(json.dumps(created))


# --- the load generator ---------------------------------------------------------------------


APPEND_BODY = json.dumps({"role": "user", "content": USER_TEXT}).encode()
JSON_HEADERS = {"Content-Type": "application/json"}


class LoadGenerator:
    """Keep-alive httpx clients against the servers, and the bookkeeping of what they did."""

    def __init__(self, urls: list[str], errors: Errors) -> None:
        self.urls = urls
        self.errors = errors
        self.tracked: dict[str, Tracked] = {}
        # Each session's Authorization header: its access token, as the API returned it.
        self.auth: dict[str, dict[str, str]] = {}
        self._open: list[httpx.AsyncClient] = []

    def clients(self, count: int) -> list[httpx.AsyncClient]:
        """``count`` clients (one connection each), assigned round-robin to the servers."""
        made = [
            httpx.AsyncClient(
                base_url=self.urls[i % len(self.urls)],
                limits=httpx.Limits(max_connections=1, max_keepalive_connections=1),
                timeout=httpx.Timeout(60.0),
            )
            for i in range(count)
        ]
        self._open.extend(made)
        return made

    async def close(self) -> None:
        for client in self._open:
            await client.aclose()
        self._open.clear()

    # One request, with the success/error bookkeeping; returns the response on 2xx.
    def remember(self, session_id: str, token: str) -> None:
        """Send ``token`` with every request for this session."""
        self.auth[session_id] = {"Authorization": f"Bearer {token}"}

    async def request(
        self, phase: str, client: httpx.AsyncClient, kind: str, session_id: str
    ) -> httpx.Response | None:
        path = f"/api/chat/session/{session_id}"
        auth = self.auth.get(session_id, {})
        try:
            if kind == "append":
                response = await client.post(
                    f"{path}/messages", content=APPEND_BODY, headers={**JSON_HEADERS, **auth}
                )
            else:
                response = await client.get(path, headers=auth)
        except Exception as exc:  # any failure is counted and shown
            self.errors.add(phase, f"{kind} {type(exc).__name__}", repr(exc))
            if kind == "append":
                self._tracked(session_id).uncertain += 1
            await asyncio.sleep(0.05)  # no hot loop against a dead server
            return None
        if not 200 <= response.status_code < 300:
            self.errors.add(phase, f"{kind} HTTP {response.status_code}", response.text)
            if kind == "append" and response.status_code >= 500:
                self._tracked(session_id).uncertain += 1
            return None
        if kind == "append":
            try:
                seq = response.json()["message"]["seq"]
            except (ValueError, KeyError, TypeError):
                self.errors.add(phase, "append answer without message.seq", response.text)
                return None
            self._tracked(session_id).acked_seqs.append(seq)
        return response

    def _tracked(self, session_id: str) -> Tracked:
        return self.tracked.setdefault(session_id, Tracked(base=0))

    async def create_sessions(self, count: int, concurrency: int) -> list[str]:
        """Create sessions over HTTP (each starts with the greeting)."""
        ids: list[str] = []
        remaining = iter(range(count))
        clients = self.clients(min(concurrency, count))

        async def worker(client: httpx.AsyncClient) -> None:
            for _ in remaining:
                response = await client.post("/api/chat/sessions")
                if response.status_code != 201:
                    self.errors.add("setup", f"create HTTP {response.status_code}", response.text)
                    continue
                state = response.json()
                ids.append(state["id"])
                self.remember(state["id"], state["accessToken"])
                self.tracked[state["id"]] = Tracked(base=state["messagesPage"]["total"])

        await asyncio.gather(*(worker(client) for client in clients))
        if len(ids) != count:
            raise BenchError(f"created {len(ids)} of {count} sessions")
        return ids

    async def run_load(
        self,
        phase: str,
        clients: list[httpx.AsyncClient],
        choose,  # (client index) -> (kind, session id)
        *,
        warmup: float,
        seconds: float,
        server_pids: list[int],
    ) -> dict:
        """Every client loops request after request; only the measured window counts."""
        latencies: dict[str, list[float]] = defaultdict(list)
        start = time.perf_counter() + warmup
        end = start + seconds

        async def worker(index: int, client: httpx.AsyncClient) -> None:
            while True:
                began = time.perf_counter()
                if began >= end:
                    return
                kind, session_id = choose(index)
                response = await self.request(phase, client, kind, session_id)
                finished = time.perf_counter()
                if response is not None and start <= finished < end:
                    latencies[kind].append(finished - began)

        async def cpu_meter() -> dict:
            await asyncio.sleep(warmup)
            before = CpuSnapshot.take(server_pids)
            await asyncio.sleep(seconds)
            return CpuSnapshot.take(server_pids).cores_since(before)

        meter = asyncio.create_task(cpu_meter())
        await asyncio.gather(*(worker(i, client) for i, client in enumerate(clients)))
        cpu = await meter
        everything = [value for values in latencies.values() for value in values]
        result = {
            **summary(everything, seconds),
            "errors": self.errors.total(phase),
            "cpu_cores": cpu,
        }
        if len(latencies) > 1:
            result["by_kind"] = {
                kind: summary(values, seconds) for kind, values in latencies.items()
            }
        return result

    async def verify(self, clients: list[httpx.AsyncClient]) -> dict:
        """Check every tracked session: each acknowledged append stored exactly once."""
        problems: list[str] = []
        items = iter(list(self.tracked.items()))
        max_page = 0

        async def worker(client: httpx.AsyncClient) -> None:
            nonlocal max_page
            for session_id, tracked in items:
                response = await client.get(
                    f"/api/chat/session/{session_id}", headers=self.auth.get(session_id, {})
                )
                if response.status_code != 200:
                    problems.append(f"{session_id[:6]}…: state read HTTP {response.status_code}")
                    continue
                state = response.json()
                total = state["messagesPage"]["total"]
                max_page = max(max_page, len(state["messages"]))
                acked = tracked.acked_seqs
                low, high = tracked.base + len(acked), tracked.base + len(acked) + tracked.uncertain
                duplicates = len(acked) - len(set(acked))
                if duplicates:
                    problems.append(f"{session_id[:6]}…: {duplicates} seqs acknowledged twice")
                if not low <= total <= high:
                    problems.append(
                        f"{session_id[:6]}…: {total} messages stored, expected {low}"
                        + (f"..{high}" if high != low else "")
                        + f" ({tracked.base} before + {len(acked)} acknowledged appends)"
                    )
                elif tracked.uncertain == 0 and sorted(acked) != list(
                    range(tracked.base + 1, total + 1)
                ):
                    problems.append(f"{session_id[:6]}…: acknowledged seqs are not contiguous")

        await asyncio.gather(*(worker(client) for client in clients))
        appends = sum(len(t.acked_seqs) for t in self.tracked.values())
        return {
            "sessions": len(self.tracked),
            "acknowledged_appends": appends,
            "largest_state_page": max_page,
            "problems": problems,
        }


async def history_phase(
    gen: LoadGenerator,
    sessions: dict[int, str],
    *,
    reads: int,
    appends: int,
    warmup: int = 20,
) -> dict:
    """Sequential reads, then sequential appends, interleaved over the history sizes.

    Interleaving (10, 1,000, 10,000, 10, …) means any drift of the machine during the
    phase affects every size alike, so the ratio between sizes is fair.
    """
    clients = gen.clients(len(gen.urls))
    turn = 0
    reads_ms: dict[int, list[float]] = defaultdict(list)
    appends_ms: dict[int, list[float]] = defaultdict(list)
    sizes: dict[int, list[int]] = defaultdict(list)

    async def one(size: int, kind: str) -> tuple[httpx.Response | None, float]:
        nonlocal turn
        client = clients[turn % len(clients)]
        turn += 1
        began = time.perf_counter()
        response = await gen.request("d. history", client, kind, sessions[size])
        return response, time.perf_counter() - began

    for kind, count, sink in (("read", reads, reads_ms), ("append", appends, appends_ms)):
        for i in range(warmup + count):
            for size in sessions:
                response, elapsed = await one(size, kind)
                if response is not None and i >= warmup:
                    sink[size].append(elapsed)
                    if kind == "read":
                        sizes[size].append(len(response.content))
    result = {}
    for size in sessions:
        result[str(size)] = {
            "state_read": summary(reads_ms[size]),
            "state_bytes": max(sizes[size]) if sizes[size] else None,
            "append": summary(appends_ms[size]),
        }
    smallest, largest = min(sessions), max(sessions)
    low = result[str(smallest)]["append"]["p50_ms"]
    high = result[str(largest)]["append"]["p50_ms"]
    result["append_p50_ratio"] = {
        "from": smallest,
        "to": largest,
        "ratio": round(high / low, 3) if low and high else None,
        "target": HISTORY_RATIO_TARGET,
    }
    return result


async def measure(
    urls: list[str],
    server_pids: list[int],
    history: dict[int, tuple[str, str]],
    args,
    errors: Errors,
) -> dict:
    gen = LoadGenerator(urls, errors)
    for size, (session_id, token) in history.items():
        gen.tracked[session_id] = Tracked(base=size)
        gen.remember(session_id, token)
    load = {"warmup": args.warmup, "seconds": args.seconds, "server_pids": server_pids}
    results: dict = {}
    try:
        say(f"  creating {args.clients + 1 + args.mixed_sessions} sessions …")
        began = time.perf_counter()
        own = await gen.create_sessions(args.clients, args.clients)
        (shared,) = await gen.create_sessions(1, 1)
        mixed = await gen.create_sessions(args.mixed_sessions, args.clients)
        created = args.clients + 1 + args.mixed_sessions
        results["session_creates_per_second"] = round(created / (time.perf_counter() - began), 1)
        await gen.close()

        say(f"  a. appends, {args.clients} clients on {args.clients} sessions …")
        clients = gen.clients(args.clients)
        results["a"] = await gen.run_load(
            "a. appends/own session", clients, lambda i: ("append", own[i]), **load
        )
        await gen.close()

        say(f"  b. appends, {args.clients} clients on one session …")
        clients = gen.clients(args.clients)
        results["b"] = await gen.run_load(
            "b. appends/one session", clients, lambda i: ("append", shared), **load
        )
        await gen.close()

        say(f"  c. 80/20 read/append mix over {args.mixed_sessions} sessions …")
        rng = random.Random(42)

        def mixed_choice(_index: int) -> tuple[str, str]:
            return ("read" if rng.random() < 0.8 else "append", rng.choice(mixed))

        clients = gen.clients(args.clients)
        results["c"] = await gen.run_load("c. 80/20 mix", clients, mixed_choice, **load)
        await gen.close()

        say(f"  d. history {', '.join(f'{n:,}' for n in history)} messages …")
        history_ids = {size: session_id for size, (session_id, _token) in history.items()}
        results["d"] = await history_phase(
            gen, history_ids, reads=args.history_reads, appends=args.history_appends
        )
        await gen.close()

        say("  checking that every acknowledged append is stored exactly once …")
        results["consistency"] = await gen.verify(gen.clients(args.clients))
    finally:
        await gen.close()
    return results


# --- one database, end to end ---------------------------------------------------------------


def background_load(seconds: float = 2.0) -> float:
    """Cores busy on the machine while this benchmark is idle (other users' work)."""
    before = CpuSnapshot.take([])
    time.sleep(seconds)
    after = CpuSnapshot.take([])
    wall = after.wall - before.wall
    return round(max(0.0, (after.busy - before.busy) - (after.bench - before.bench)) / wall, 2)


def run_database(kind: str, args, errors: Errors) -> dict:
    workdir = Path(tempfile.mkdtemp(prefix=f"bench-chat-{kind}-"))
    servers: list[Server] = []
    postgres = None
    try:
        if kind == "sqlite":
            database_url = f"sqlite:///{workdir / 'bench.sqlite3'}"
        else:
            postgres = PostgresDatabase(args.pg_url, args.pg_database)
            postgres.create()
            database_url = postgres.url
        say(f"\n[{kind}] migrating a fresh database …")
        migrate(database_url)
        say(f"[{kind}] filling histories of {', '.join(f'{n:,}' for n in args.history)} …")
        began = time.perf_counter()
        history = fill_histories(database_url, args.history)
        fill_seconds = round(time.perf_counter() - began, 2)
        say(f"[{kind}] starting {args.workers} daphne process(es) …")
        servers = [Server(database_url, workdir, i) for i in range(args.workers)]
        for server in servers:
            server.start()
        for server in servers:
            server.wait_healthy()
        pids = [server.process.pid for server in servers]
        say(f"[{kind}] daphne pids {pids}, ports {[s.port for s in servers]}")
        background = background_load()
        if background > 0.2:
            shout(
                f"the machine is not idle: {background:.2f} of {os.cpu_count()} cores busy "
                "with other work before the load starts; throughput will be understated"
            )
        results = asyncio.run(measure([s.url for s in servers], pids, history, args, errors))
        results["history_fill_seconds"] = fill_seconds
        results["background_cores_busy_before"] = background
        for server in servers:
            if server.process.poll() is not None:
                errors.add(kind, "daphne exited", f"exit status {server.process.returncode}")
        return results
    finally:
        for server in servers:
            server.stop()
        for server in servers:
            log = server.output()
            if "Traceback" in log or " ERROR " in log:
                errors.add(kind, f"daphne {server.port} logged errors", log[-2000:])
                shout(f"daphne on port {server.port} logged errors; last lines:\n{log[-4000:]}")
        if postgres is not None:
            postgres.drop()
        shutil.rmtree(workdir, ignore_errors=True)


# --- output ---------------------------------------------------------------------------------


def _num(value: float | None, digits: int = 1) -> str:
    return "—" if value is None else f"{value:,.{digits}f}"


def _ratio(ours: float | None, reference: float) -> str:
    return "—" if not ours else f"{ours / reference:.2f}×"


def print_table(kind: str, results: dict, args) -> None:
    title = {"sqlite": "SQLite", "postgres": "PostgreSQL"}[kind]
    say()
    say("=" * 100)
    say(
        f"{title}: {args.workers} daphne process(es), {args.clients} clients, "
        f"{args.seconds:g} s per load phase after {args.warmup:g} s warm-up, "
        f"{os.cpu_count()} cores shared"
    )
    say("=" * 100)
    head = f"{'phase':<44}{'rate':>12}{'p50 ms':>9}{'p99 ms':>9}{'ok':>9}{'errors':>8}"
    say(f"{head}{'reference':>13}{'ours/ref':>10}")
    n = args.clients
    rows = [
        (f"a. appends, {n} clients × {n} sessions", results["a"], "append_many_sessions", "/s"),
        (f"b. appends, {n} clients × 1 session", results["b"], "append_one_session", "/s"),
        (
            f"c. 80/20 read/append, {args.mixed_sessions:,} sessions",
            results["c"],
            "mixed",
            "req/s",
        ),
    ]
    for label, row, ref_key, unit in rows:
        reference = REFERENCE[ref_key]
        say(
            f"{label:<44}{_num(row['per_second']) + ' ' + unit:>12}{_num(row['p50_ms'], 2):>9}"
            f"{_num(row['p99_ms'], 2):>9}{row['ok']:>9,}{row['errors']:>8}"
            f"{f'{reference:,.0f} {unit}':>13}{_ratio(row['per_second'], reference):>10}"
        )
        for sub, sub_row in sorted(row.get("by_kind", {}).items(), reverse=True):
            name = f"     {sub}s"
            say(
                f"{name:<44}{_num(sub_row['per_second']) + ' /s':>12}"
                f"{_num(sub_row['p50_ms'], 2):>9}{_num(sub_row['p99_ms'], 2):>9}"
                f"{sub_row['ok']:>9,}"
            )
    say()
    say(
        f"{'CPU in the measured window (cores)':<44}{'daphne':>9}{'postgres':>10}"
        f"{'loadgen':>9}{'other':>8}{'idle':>8}"
    )
    for label, key in (("a.", "a"), ("b.", "b"), ("c.", "c")):
        cpu = results[key]["cpu_cores"]
        say(
            f"{label:<44}{cpu['daphne']:>9.2f}{cpu['postgres']:>10.2f}"
            f"{cpu['loadgen']:>9.2f}{cpu['other']:>8.2f}{cpu['idle']:>8.2f}"
        )
    history = results["d"]
    say()
    say(
        f"{'d. history (sequential, 1 client)':<36}{'read p50':>10}{'read p99':>10}"
        f"{'state bytes':>13}{'append p50':>12}{'append p99':>12}"
    )
    for size, row in history.items():
        if size == "append_p50_ratio":
            continue
        say(
            f"{'   ' + f'{int(size):,} messages':<36}{_num(row['state_read']['p50_ms'], 2):>10}"
            f"{_num(row['state_read']['p99_ms'], 2):>10}{_num(row['state_bytes'], 0):>13}"
            f"{_num(row['append']['p50_ms'], 2):>12}{_num(row['append']['p99_ms'], 2):>12}"
        )
    ratio = history["append_p50_ratio"]
    verdict = (
        "—"
        if ratio["ratio"] is None
        else ("OK" if ratio["ratio"] <= ratio["target"] else "NOT MET")
    )
    say(
        f"append p50 at {ratio['to']:,} / at {ratio['from']:,} messages: "
        f"{_num(ratio['ratio'], 2)}  (target: within 20%, ≤ {ratio['target']:.2f}) {verdict}"
    )
    say(f"reference (Durable Object): {REFERENCE_HISTORY}")
    check = results["consistency"]
    say()
    say(
        f"consistency: {check['acknowledged_appends']:,} acknowledged appends over "
        f"{check['sessions']:,} sessions; largest state page {check['largest_state_page']} "
        f"messages; " + ("all stored exactly once" if not check["problems"] else "PROBLEMS")
    )
    for problem in check["problems"][:20]:
        say(f"   !! {problem}")
    say(
        f"setup: {results['session_creates_per_second']:,.0f} session creates/s over HTTP; "
        f"histories filled in {results['history_fill_seconds']:.1f} s; "
        f"{results['background_cores_busy_before']:.2f} cores busy with other work before the run"
    )


# --- main -----------------------------------------------------------------------------------


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description="Benchmark the chat JSON API under daphne (see the module docstring)."
    )
    parser.add_argument(
        "--db",
        choices=["sqlite", "postgres", "both"],
        default="both",
        help="which database(s) to benchmark (default: both)",
    )
    parser.add_argument(
        "--workers", type=int, default=1, help="daphne processes, load round-robin (default 1)"
    )
    parser.add_argument(
        "--seconds", type=float, default=None, help="measured seconds per load phase (10)"
    )
    parser.add_argument("--warmup", type=float, default=None, help="warm-up seconds (2)")
    parser.add_argument(
        "--quick",
        action="store_true",
        help="smoke run: 3 s per load phase, histories of 10, 1,000 and 3,000 messages",
    )
    parser.add_argument("--clients", type=int, default=32, help="simulated users (32)")
    parser.add_argument("--mixed-sessions", type=int, default=1000, help="sessions in phase c")
    parser.add_argument("--history-reads", type=int, default=200, help="reads per size in d")
    parser.add_argument("--history-appends", type=int, default=300, help="appends per size in d")
    parser.add_argument(
        "--pg-url",
        default="postgres://postgres@127.0.0.1:5432",
        help="PostgreSQL server, without a database name (default: %(default)s)",
    )
    parser.add_argument("--pg-database", default="bench_chat", help="dropped and recreated")
    parser.add_argument("--fill-history", help=argparse.SUPPRESS)  # internal: child process
    args = parser.parse_args(argv)
    if args.seconds is None:
        args.seconds = 3.0 if args.quick else 10.0
    if args.warmup is None:
        args.warmup = 1.0 if args.quick else 2.0
    args.history = [10, 1_000, 3_000] if args.quick else [10, 1_000, 10_000]
    if args.workers < 1 or args.clients < 1 or args.seconds <= 0:
        parser.error("--workers, --clients and --seconds must be positive")
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    if args.fill_history:
        fill_history_main([int(n) for n in args.fill_history.split(",")])
        return 0
    # SIGTERM (or make's Ctrl-C) unwinds through the ``finally`` blocks, which clean up.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))

    databases = ["sqlite", "postgres"] if args.db == "both" else [args.db]
    started = datetime.now()
    errors = Errors()
    report: dict = {
        "started_at": started.isoformat(timespec="seconds"),
        "command": " ".join([Path(sys.executable).name, *sys.argv]),
        "settings": {
            "workers": args.workers,
            "clients": args.clients,
            "seconds": args.seconds,
            "warmup": args.warmup,
            "mixed_sessions": args.mixed_sessions,
            "history_sizes": args.history,
            "history_reads": args.history_reads,
            "history_appends": args.history_appends,
            "quick": args.quick,
        },
        "machine": {
            "cpus": os.cpu_count(),
            "python": platform.python_version(),
            "platform": platform.platform(),
        },
        "reference": {**REFERENCE, "history": REFERENCE_HISTORY},
        "results": {},
    }
    for kind in databases:
        try:
            report["results"][kind] = run_database(kind, args, errors)
        except BenchError as exc:
            errors.add(kind, "benchmark failed", str(exc))
            shout(f"[{kind}] benchmark failed: {exc}")
    for kind, results in report["results"].items():
        print_table(kind, results, args)

    report["errors"] = errors.as_json()
    lost = {kind: r["consistency"]["problems"] for kind, r in report["results"].items()}
    RESULTS_DIR.mkdir(parents=True, exist_ok=True)
    out = RESULTS_DIR / f"{started:%Y%m%d-%H%M%S}.json"
    out.write_text(json.dumps(report, indent=2) + "\n")
    say(f"\nresults: {out.relative_to(ROOT)}")

    failed = errors.total() + sum(len(p) for p in lost.values())
    if failed:
        lines = [f"{key}: {n}" for key, n in errors.counts.items()]
        lines += [f"{kind}: {p}" for kind, problems in lost.items() for p in problems[:5]]
        for key, samples in errors.samples.items():
            lines.append(f"  sample of {key}: {samples[0]}")
        shout("ERRORS DURING THE BENCHMARK\n" + "\n".join(lines))
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
