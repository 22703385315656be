"""The package installed with pip into a fresh virtual environment (--system-site-packages for
numpy and pandas; offline: --no-build-isolation --no-deps), then used from outside the source
tree. The module installed is the one this build made (SLUICE_EXTENSION), so the test does not
build sluice a second time."""

import os
import subprocess
import sys

import pytest

HERE = os.path.dirname(os.path.abspath(__file__))
PACKAGE = os.path.dirname(HERE)  # python/


def test_pip_install_into_a_fresh_venv(tmp_path):
    extension = os.environ.get("SLUICE_EXTENSION")
    if not extension:
        pytest.skip("SLUICE_EXTENSION (the built module) is not set: run through ctest")
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--system-site-packages", str(venv)],
                   check=True, timeout=120)
    python = str(venv / "bin" / "python")
    env = dict(os.environ, SLUICE_EXTENSION=extension)
    env.pop("PYTHONPATH", None)
    # A copy of the package folder: pip builds in place and leaves build/ and *.egg-info behind.
    source = tmp_path / "src"
    subprocess.run(["cp", "-r", PACKAGE, str(source)], check=True, timeout=60)
    subprocess.run([python, "-m", "pip", "install", "--no-build-isolation", "--no-deps",
                    "--no-index", "--quiet", str(source)],
                   check=True, timeout=240, env=env, cwd=tmp_path)
    script = (
        "import sluice, os\n"
        "assert os.path.dirname(sluice.__file__).startswith(os.environ['VIRTUAL_ENV']), "
        "sluice.__file__\n"
        "with sluice.connect() as db:\n"
        "    db.execute('CREATE SOURCE t (n BIGINT)')\n"
        "    db.execute('CREATE MATERIALIZED VIEW s AS SELECT SUM(n) AS total FROM t')\n"
        "    db.source('t').push({'n': [1, 2, 39]})\n"
        "    db.flush()\n"
        "    print(db.execute('SELECT total FROM s'))\n")
    out = subprocess.run([python, "-c", script], capture_output=True, text=True, timeout=60,
                         env=dict(env, VIRTUAL_ENV=str(venv)), cwd=tmp_path)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "[{'total': 42}]"
