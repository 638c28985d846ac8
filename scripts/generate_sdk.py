"""The Python SDK (``labelq_client/``) is generated from the OpenAPI schema, never written by hand.

    python scripts/generate_sdk.py --schema openapi.json --out labelq_client    (``make client``)

The generator (openapi-python-client, pinned with the ruff its post-hooks format with) runs from a
venv of its own under ``~/.cache/labelq-tools`` (``LABELQ_TOOLS``), made on first use: it is a build
tool of the SDK, not a dependency of labelq. ``image/png`` answers (the simulation plot) are read as
files. The tests regenerate the SDK from the served schema and compare it with the committed one.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

GENERATOR = ("openapi-python-client==0.29.1", "ruff==0.17.6")
PACKAGE = "labelq_client"
CONFIG = {
    "project_name_override": "labelq-client",
    "package_name_override": PACKAGE,
    "package_version_override": "0.1.0",
    "content_type_overrides": {"image/png": "application/octet-stream"},
    "literal_enums": True,
}


def tools_dir() -> Path:
    return Path(os.environ.get("LABELQ_TOOLS", Path.home() / ".cache" / "labelq-tools"))


def generator_bin(requirements: tuple[str, ...] = GENERATOR) -> Path:
    """The bin/ folder of the generator's venv (made, or remade when the pins changed)."""
    venv = tools_dir() / "openapi-python-client"
    marker, want = venv / ".labelq-installed", "\n".join(requirements)
    if not (marker.is_file() and marker.read_text() == want):
        subprocess.run([sys.executable, "-m", "venv", "--clear", str(venv)], check=True)
        pip = [str(venv / "bin" / "pip"), "install", "-q", "--disable-pip-version-check"]
        subprocess.run([*pip, *requirements], check=True)
        marker.write_text(want)
    return venv / "bin"


def generate(schema: Path, out: Path, bin_dir: Path | None = None) -> Path:
    """Generate the SDK package from ``schema`` into the folder ``out`` (replaced); returns it."""
    bin_dir, schema, out = bin_dir or generator_bin(), schema.resolve(), out.resolve()
    with tempfile.TemporaryDirectory(prefix="labelq-sdk-") as tmp:
        config = Path(tmp) / "config.json"
        config.write_text(json.dumps(CONFIG))
        target = Path(tmp) / PACKAGE
        env = {**os.environ, "PATH": f"{bin_dir}{os.pathsep}{os.environ.get('PATH', '')}"}
        cmd = [str(bin_dir / "openapi-python-client"), "generate", "--path", str(schema)]
        cmd += ["--meta", "none", "--output-path", str(target), "--config", str(config)]
        done = subprocess.run(cmd, env=env, cwd=tmp, capture_output=True, text=True)
        if done.returncode != 0 or "Warning" in done.stdout:
            raise RuntimeError(f"openapi-python-client failed or warned:\n{done.stdout}\n{done.stderr}")
        if out.exists():
            shutil.rmtree(out)
        shutil.copytree(target, out, ignore=shutil.ignore_patterns(".ruff_cache", "__pycache__"))
    return out


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--schema", type=Path, default=Path("openapi.json"))
    p.add_argument("--out", type=Path, default=Path(PACKAGE))
    args = p.parse_args()
    print(generate(args.schema, args.out))


if __name__ == "__main__":
    main()
