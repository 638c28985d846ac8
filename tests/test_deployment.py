"""Deployment settings: the admin key rules, time limits per job kind, secrets from files."""

from __future__ import annotations

import pytest

from service.settings import Settings


def test_a_default_or_short_admin_key_is_refused_outside_embedded_mode(tmp_path) -> None:  # type: ignore[no-untyped-def]
    full = {"data_dir": tmp_path, "broker_url": "redis://127.0.0.1:6379/0"}
    for weak in ("change-me-admin-key", "short-key"):
        with pytest.raises(ValueError, match="LABELQ_ADMIN_KEY"):
            Settings(admin_key=weak, **full)
    assert Settings(admin_key="k" * 32, **full).resolved_admin_key() == "k" * 32
    assert Settings(admin_key="short-key", data_dir=tmp_path).embedded  # the embedded default allows it


def test_job_time_limits_are_per_kind_settings_that_reach_the_tasks(tmp_path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from celery import Celery

    from service import queue

    monkeypatch.setenv("LABELQ_JOB_TIME_LIMITS", '{"train": 120, "import_pool": 30}')
    settings = Settings(data_dir=tmp_path, broker_url="memory://")
    assert settings.job_time_limits["train"] == 120 and settings.job_time_limits["score_round"] == 21600
    app = Celery("limits-test")
    app.conf.update(queue.celery_config(settings))
    import workers.tasks  # noqa: F401  (the shared tasks bind to every app)

    train, imports, score = (app.tasks[name] for name in (queue.TRAIN, queue.IMPORT_POOL, queue.SCORE_ROUND))
    assert (train.time_limit, train.soft_time_limit) == (120, 108)  # soft: 10 % (at most 60 s) earlier
    assert (imports.time_limit, imports.soft_time_limit) == (30, 27)
    assert (score.time_limit, score.soft_time_limit) == (21600, 21540)
    # Redis must not redeliver a message while its longest job may still run
    assert queue.visibility_timeout(settings) == 86400 + 3600
    for bad in ('{"trian": 5}', '{"train": 0}'):
        monkeypatch.setenv("LABELQ_JOB_TIME_LIMITS", bad)
        with pytest.raises(ValueError, match="job"):
            Settings(data_dir=tmp_path, broker_url="memory://")


def test_secrets_come_from_files(tmp_path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from sqlalchemy.engine import make_url

    (tmp_path / "admin").write_text("a" * 30 + "\n")
    (tmp_path / "pg").write_text("p@ss w/rd:1\n")
    monkeypatch.setenv("LABELQ_ADMIN_KEY_FILE", str(tmp_path / "admin"))
    monkeypatch.setenv("LABELQ_DATABASE_URL", "postgresql://labelq@db:5432/labelq")
    monkeypatch.setenv("LABELQ_DATABASE_PASSWORD_FILE", str(tmp_path / "pg"))
    monkeypatch.setenv("LABELQ_BROKER_URL", "redis://r:6379/0")
    settings = Settings(data_dir=tmp_path)
    url = make_url(settings.database_url)
    assert settings.resolved_admin_key() == "a" * 30
    assert (url.username, url.password, url.host, url.database) == ("labelq", "p@ss w/rd:1", "db", "labelq")
    monkeypatch.setenv("LABELQ_ADMIN_KEY", "e" * 30)  # the variable itself wins over its _FILE
    assert Settings(data_dir=tmp_path).resolved_admin_key() == "e" * 30
    monkeypatch.delenv("LABELQ_ADMIN_KEY")
    (tmp_path / "admin").write_text("short\n")  # a weak key from a file is refused like any other
    with pytest.raises(ValueError, match="LABELQ_ADMIN_KEY"):
        Settings(data_dir=tmp_path)
    monkeypatch.setenv("LABELQ_ADMIN_KEY_FILE", str(tmp_path / "missing"))
    with pytest.raises(ValueError, match="LABELQ_ADMIN_KEY_FILE: cannot read"):
        Settings(data_dir=tmp_path)


def test_the_full_stack_api_will_not_start_without_an_admin_key(tmp_path) -> None:  # type: ignore[no-untyped-def]
    import os
    import subprocess
    import sys

    env = {k: v for k, v in os.environ.items() if not k.startswith("LABELQ_")}
    env |= {"LABELQ_DATA_DIR": str(tmp_path), "LABELQ_BROKER_URL": "redis://127.0.0.1:6379/0"}
    run = subprocess.run(
        [sys.executable, "-m", "service.cli", "serve", "--port", "1"], env=env, capture_output=True, text=True
    )
    assert run.returncode == 2 and "LABELQ_ADMIN_KEY_FILE" in run.stderr
    assert not (tmp_path / "admin.key").exists(), "no key made up for a shared service"


def test_the_health_command_checks_a_running_api(tmp_path) -> None:  # type: ignore[no-untyped-def]
    """`labelq health` (the containers' healthcheck) against a real embedded server: /healthz, and
    /readyz once its worker beats; a dead address fails with the reason."""
    import os
    import signal
    import subprocess
    import sys

    from service.local_server import free_port, stop_processes, wait_ready
    from tests.e2e.embedded import serve

    with serve(tmp_path) as (server, url):
        try:
            wait_ready(url, [server])
            env = {k: v for k, v in os.environ.items() if not k.startswith("LABELQ_")}
            for flags in ([], ["--ready"]):
                run = subprocess.run(
                    [sys.executable, "-m", "service.cli", "health", "--url", url, *flags],
                    env=env, cwd=tmp_path, capture_output=True, text=True, timeout=60,
                )  # fmt: skip
                assert run.returncode == 0, run.stderr
        finally:
            stop_processes([server], signal.SIGINT, timeout=40)
    dead = f"http://127.0.0.1:{free_port()}"
    run = subprocess.run(
        [sys.executable, "-m", "service.cli", "health", "--url", dead, "--ready"],
        env=env, cwd=tmp_path, capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert run.returncode == 1 and f"{dead}/readyz" in run.stderr
