"""The ``labelq`` command: serve, worker, migrate, health, demo, simulate."""

from __future__ import annotations

import argparse
import gc
import os
import signal
import subprocess
import sys
import time

from service import logs
from service.local_server import ServerNotReady, free_port, stop_processes, wait_ready
from service.settings import Settings, get_settings


def _migrate(settings: Settings) -> None:
    from migrations import upgrade

    if settings.database_url.startswith("sqlite"):
        settings.data_dir.mkdir(parents=True, exist_ok=True)
    upgrade(settings.database_url)


def cmd_migrate(_: argparse.Namespace) -> int:
    """The database to the latest schema, and the object store's bucket made if missing."""
    settings = get_settings()
    _migrate(settings)
    print(f"database at head: {settings.database_url.split('@')[-1]}")
    if settings.storage_url:
        from service.storage import get_store

        made = get_store().ensure_bucket()  # type: ignore[attr-defined]
        print(f"object store {settings.storage_url}: {'bucket created' if made else 'bucket exists'}")
    return 0


def cmd_worker(args: argparse.Namespace) -> int:
    """A Celery worker. Imports torch (through workers/); the API process never does.

    Always the prefork pool (concurrency 1 by default): only it enforces the tasks' time limits and
    ``--max-memory-per-child``; CUDA is picked at run time, in the child.
    """
    from service.queue import DEFAULT, GPU, queue_name
    from workers.celery_app import worker_app

    if args.parent_pid:
        _exit_with_parent(args.parent_pid)
    settings = get_settings()
    kinds = [k.strip() for k in (args.queues or f"{DEFAULT},{GPU}").split(",") if k.strip()]
    unknown = sorted(set(kinds) - {DEFAULT, GPU})
    if unknown:
        print(f"labelq worker: unknown queues {unknown}; use {DEFAULT} and/or {GPU}", file=sys.stderr)
        return 2
    argv = [
        "worker",
        "--loglevel",
        args.loglevel,
        "-Q",
        ",".join(queue_name(k, settings) for k in kinds),
        "--pool",
        "prefork",
        "--concurrency",
        str(args.concurrency or settings.worker_concurrency),
        "--without-gossip",
        "--without-mingle",
        "--hostname",
        f"labelq-{os.getpid()}@%h",
    ]
    if settings.worker_max_memory_mb:
        argv += ["--max-memory-per-child", str(settings.worker_max_memory_mb * 1024)]
    worker_app().worker_main(argv)
    return 0


def _exit_with_parent(parent_pid: int) -> None:
    """An embedded worker never outlives the ``labelq serve`` that started it."""
    import threading

    def watch() -> None:
        while os.getppid() == parent_pid:
            time.sleep(1.0)
        os.kill(os.getpid(), signal.SIGTERM)
        time.sleep(30)
        os._exit(1)

    threading.Thread(target=watch, daemon=True, name="parent-watch").start()


class WorkerSupervisor:
    """``labelq serve``'s embedded worker: started beside the API and started again (with a
    growing pause, at most a minute) whenever it exits, until the API stops."""

    def __init__(self, loglevel: str = "WARNING") -> None:
        import threading

        self.loglevel = loglevel
        self.proc: subprocess.Popen[bytes] | None = None
        self.restarts = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True, name="worker-supervisor")

    def _spawn(self) -> subprocess.Popen[bytes]:
        cmd = [sys.executable, "-m", "service.cli", "worker", "--loglevel", self.loglevel]
        return subprocess.Popen([*cmd, "--parent-pid", str(os.getpid())])

    def start(self) -> WorkerSupervisor:
        self.proc = self._spawn()
        self._thread.start()
        return self

    def _run(self) -> None:
        pause = 1.0
        while not self._stop.wait(1.0):
            assert self.proc is not None
            code = self.proc.poll()
            if code is None:
                continue
            print(
                f"labelq: the embedded worker exited ({code}); starting it again in {pause:g} s", flush=True
            )
            if self._stop.wait(pause):
                return
            self.proc, self.restarts, pause = self._spawn(), self.restarts + 1, min(pause * 2, 60.0)

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=5)
        if self.proc is not None:
            stop_processes([self.proc], signal.SIGTERM, timeout=20)


GC_THRESHOLD = 50_000  # allocations between young collections (CPython default: 700)


def cmd_serve(args: argparse.Namespace) -> int:
    """The API; with the embedded default (or --with-worker) one supervised worker beside it.

    Migrates the database only in embedded mode: on the full stack run ``labelq migrate`` once, so
    API replicas never race on the schema.
    """
    import uvicorn

    settings = get_settings()
    if not settings.embedded and settings.admin_key is None:
        print(
            "labelq serve: the full stack needs LABELQ_ADMIN_KEY or LABELQ_ADMIN_KEY_FILE (a secret of 24 or "
            "more characters); only the embedded default makes one",
            file=sys.stderr,
        )
        return 2
    if settings.embedded:
        _migrate(settings)
    settings.resolved_admin_key()  # the key file exists before the first request
    supervisor = WorkerSupervisor(args.loglevel).start() if settings.embedded or args.with_worker else None
    where = "embedded (SQLite + local broker)" if settings.embedded else "full stack"
    key_hint = (
        f"admin key in {settings.data_dir / 'admin.key'}"
        if settings.admin_key is None
        else "admin key from LABELQ_ADMIN_KEY"
    )
    print(
        f"labelq {where} on http://{args.host or settings.host}:{args.port or settings.port} ({key_hint})",
        flush=True,
    )
    # Requests allocate many short-lived objects (10,000 labels: 30,000 dicts); with the default
    # thresholds the cyclic collector scans the whole heap every few such requests (0.3 s each)
    gc.set_threshold(GC_THRESHOLD, 20, 20)
    try:
        uvicorn.run(
            "service.app:create_app",
            factory=True,
            host=args.host or settings.host,
            port=args.port or settings.port,
            log_level=args.loglevel.lower(),
            log_config=logs.config(settings.log_format, args.loglevel),
            timeout_keep_alive=5,
        )
    finally:
        if supervisor is not None:
            supervisor.stop()
    return 0


def cmd_health(args: argparse.Namespace) -> int:
    """For container healthchecks: exit 0 when a worker on this host sent a heartbeat recently
    (``--worker``), or when the API at ``--url`` answers /healthz (``--ready``: /readyz, its
    database, broker and a worker); else 1 with the reason."""
    import socket

    if args.worker:
        from service.sweeper import worker_silence_s, workers_seen

        host = socket.gethostname()
        if any(w.hostname == host for w in workers_seen(worker_silence_s())):
            return 0
        print(
            f"labelq health: no worker on {host} seen in the last {worker_silence_s():g} s", file=sys.stderr
        )
        return 1
    import httpx

    settings = get_settings()
    url = args.url or f"http://127.0.0.1:{settings.port}"
    path = "/readyz" if args.ready else "/healthz"
    try:
        httpx.get(f"{url}{path}", timeout=5).raise_for_status()
    except httpx.HTTPError as exc:
        print(f"labelq health: {url}{path}: {exc}", file=sys.stderr)
        return 1
    return 0


def cmd_demo(args: argparse.Namespace) -> int:
    """Run the demo loop against --url, or start an embedded server for it first."""
    from labelq_demo.run import run_demo

    server = None
    url = args.url
    if url is None:
        port = args.port or free_port()
        url = f"http://127.0.0.1:{port}"
        server = subprocess.Popen(
            [sys.executable, "-m", "service.cli", "serve", "--port", str(port), "--loglevel", "WARNING"]
        )
        try:
            wait_ready(url, [server])
        except ServerNotReady as exc:
            raise SystemExit(str(exc)) from None
    admin_key = args.admin_key or get_settings().resolved_admin_key()
    try:
        run_demo(
            url,
            admin_key,
            rounds=args.rounds,
            budget_per_round=args.budget_per_round,
            strategy=args.strategy,
            cache_dir=args.cache_dir,
            progress=not args.no_progress,
        )
    finally:
        if server is not None:
            stop_processes([server], signal.SIGINT, timeout=30)
    return 0


def cmd_simulate(args: argparse.Namespace) -> int:
    """Simulated active learning on a project's hidden labels: curves, AUC table, PNG plot."""
    import json

    import httpx

    from labelq_demo.sdk import ApiError, JobFailedError, connect
    from labelq_demo.simulation import int_list, run_simulation

    settings = get_settings()
    url = args.url or f"http://{settings.host}:{settings.port}"
    key = args.key or settings.resolved_admin_key()
    schedule = int_list(args.schedule, "--schedule") if args.schedule else [args.per_round] * args.rounds
    try:
        params = json.loads(args.params) if args.params else {}
        objective_params = json.loads(args.objective_params) if args.objective_params else {}
    except json.JSONDecodeError as exc:
        print(f"labelq simulate: --params/--objective-params must be JSON: {exc}", file=sys.stderr)
        return 2
    try:
        with connect(url, key) as client:
            run_simulation(
                client,
                args.project,
                strategies=[s.strip() for s in args.strategies.split(",") if s.strip()],
                objective=args.objective,
                params=params,
                objective_params=objective_params,
                schedule=schedule,
                seeds=int_list(args.seeds, "--seeds"),
                epochs=args.epochs,
                batch_size=args.batch_size,
                lr=args.lr,
                checkpoint_id=args.checkpoint,
                out_path=args.out,
                progress=not args.no_progress,
                timeout=args.timeout,
            )
    except (ApiError, JobFailedError, TimeoutError, httpx.HTTPError) as exc:
        print(f"labelq simulate: {exc}", file=sys.stderr)
        return 1
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="labelq", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    serve = sub.add_parser("serve", help="run the API (embedded default: plus one worker)")
    serve.add_argument("--host")
    serve.add_argument("--port", type=int)
    serve.add_argument("--with-worker", action="store_true", help="start a worker beside the API")
    serve.add_argument("--loglevel", default="INFO")
    serve.set_defaults(fn=cmd_serve)
    worker = sub.add_parser("worker", help="run a Celery worker")
    worker.add_argument("--concurrency", type=int, default=0)
    worker.add_argument("-Q", "--queues", default=None, help="default,gpu (both unless given)")
    worker.add_argument("--loglevel", default="INFO")
    worker.add_argument("--parent-pid", type=int, default=0, help=argparse.SUPPRESS)
    worker.set_defaults(fn=cmd_worker)
    sub.add_parser(
        "migrate", help="upgrade the database to the latest schema (and make the object store's bucket)"
    ).set_defaults(fn=cmd_migrate)
    health = sub.add_parser("health", help="container healthcheck: the API answers, or a worker here beats")
    health.add_argument("--worker", action="store_true", help="check this host's worker instead of the API")
    health.add_argument("--url", help="the API (default: http://127.0.0.1:LABELQ_PORT)")
    health.add_argument(
        "--ready",
        action="store_true",
        help="the API's /readyz (database, broker, a worker) instead of /healthz",
    )
    health.set_defaults(fn=cmd_health)
    demo = sub.add_parser("demo", help="the MNIST -> digits loop over HTTP")
    demo.add_argument("--url", help="a running server (default: start an embedded one)")
    demo.add_argument("--port", type=int)
    demo.add_argument("--admin-key", default=os.environ.get("LABELQ_ADMIN_KEY"))
    demo.add_argument("--rounds", type=int, default=5)
    demo.add_argument("--budget-per-round", type=int, default=None)
    demo.add_argument("--strategy", default="entropy")
    demo.add_argument("--cache-dir", default=None)
    demo.add_argument("--no-progress", action="store_true")
    demo.set_defaults(fn=cmd_demo)
    sim = sub.add_parser(
        "simulate", help="compare strategies on hidden labels: learning curves, AUC, a PNG plot"
    )
    sim.add_argument("--url", help="the API (default: http://LABELQ_HOST:LABELQ_PORT)")
    sim.add_argument(
        "--key",
        "--admin-key",
        dest="key",
        default=os.environ.get("LABELQ_API_KEY") or os.environ.get("LABELQ_ADMIN_KEY"),
        help="a project key or the admin key (default: $LABELQ_API_KEY, $LABELQ_ADMIN_KEY, the local one)",
    )
    sim.add_argument("--project", type=int, required=True)
    sim.add_argument("--strategies", default="entropy,random", help="comma-separated strategy names")
    sim.add_argument("--objective", default=None, help="training objective (default: the project's)")
    sim.add_argument("--params", default=None, help='strategy parameters, JSON: {"eada": {"alpha1": 0.3}}')
    sim.add_argument("--objective-params", default=None, help="objective parameters, JSON object")
    sim.add_argument("--rounds", type=int, default=5)
    sim.add_argument("--per-round", type=int, default=20)
    sim.add_argument("--schedule", default=None, help="budgets per round, e.g. 10,20,40 (overrides --rounds)")
    sim.add_argument("--seeds", default="0,1,2", help="comma-separated seeds")
    sim.add_argument("--epochs", type=int, default=2, help="training epochs after each round")
    sim.add_argument("--batch-size", type=int, default=64)
    sim.add_argument("--lr", type=float, default=1e-3)
    sim.add_argument("--checkpoint", type=int, default=None, help="start checkpoint (default: latest ready)")
    sim.add_argument("--out", default="curve.png", help="where to save the PNG plot")
    sim.add_argument("--timeout", type=float, default=None, help="give up after this many seconds")
    sim.add_argument("--no-progress", action="store_true")
    sim.set_defaults(fn=cmd_simulate)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        Settings()  # validate the environment before doing anything
    except Exception as exc:
        print(f"labelq: invalid settings: {exc}", file=sys.stderr)
        return 2
    return int(args.fn(args) or 0)


if __name__ == "__main__":
    sys.exit(main())
