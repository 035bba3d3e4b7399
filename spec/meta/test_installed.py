"""The spec as an installed package: a wheel in a fresh virtual environment, run from a
directory outside the clone, against ``impl`` and against a local package.

The venv sees the machine's site-packages (NumPy, SciPy and torch are large; installing them
again would prove nothing about this package), but the spec and impl it imports are the
wheel's, which is checked.  The wheel must declare what the plugin needs at run time
(pytest, Hypothesis, mpmath) and carry every data file the spec reads.

About 20 s, so it runs where ``SPEC_INSTALL_TESTS=1`` is set: CI sets it (``.ci/run``).
"""

from __future__ import annotations

import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

pytestmark = pytest.mark.skipif(
    os.environ.get("SPEC_INSTALL_TESTS") != "1",
    reason="the installed-package tests run with SPEC_INSTALL_TESTS=1 (as CI runs them)",
)


def _run(command: list[str], cwd: Path) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k not in ("SPEC_IMPL", "PYTHONPATH")}
    env["HYPOTHESIS_PROFILE"] = "smoke"
    return subprocess.run(command, cwd=cwd, capture_output=True, text=True, env=env, timeout=600)


@pytest.fixture(scope="module")
def installed(tmp_path_factory) -> tuple[Path, Path]:
    """(the wheel, the venv's bin folder) with the wheel installed in a fresh venv."""
    tmp = tmp_path_factory.mktemp("installed")
    build = _run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q"]
        + ["-w", str(tmp / "dist"), str(ROOT)],
        cwd=tmp,
    )
    assert build.returncode == 0, build.stdout + build.stderr
    (wheel,) = (tmp / "dist").glob("*.whl")
    venv = tmp / "venv"
    made = _run([sys.executable, "-m", "venv", "--system-site-packages", str(venv)], cwd=tmp)
    assert made.returncode == 0, made.stderr
    bin_dir = venv / "bin"
    install = _run(
        [str(bin_dir / "python"), "-m", "pip", "install", "-q", "--no-deps", "--no-index"]
        + [str(wheel)],
        cwd=tmp,
    )
    assert install.returncode == 0, install.stdout + install.stderr
    # pytest itself comes from the machine's site-packages, without a console script in
    # the venv: write the one pip would (a script puts its own folder on sys.path, not the
    # current directory, which is what --impl mypkg must cope with).
    script = bin_dir / "pytest"
    script.write_text(
        f"#!{bin_dir / 'python'}\nimport sys\nfrom pytest import console_main\n"
        "sys.exit(console_main())\n"
    )
    script.chmod(0o755)
    return wheel, bin_dir


def test_wheel_declares_the_run_time_dependencies_and_carries_the_data(installed):
    """The wheel requires pytest, Hypothesis and mpmath, and ships the survivors list."""
    wheel, _ = installed
    with zipfile.ZipFile(wheel) as archive:
        names = archive.namelist()
        (metadata,) = [n for n in names if n.endswith(".dist-info/METADATA")]
        requires = [
            line.split(":", 1)[1].strip().split()[0].lower()
            for line in archive.read(metadata).decode().splitlines()
            if line.startswith("Requires-Dist:") and "extra ==" not in line
        ]
    for package in ("pytest", "hypothesis", "mpmath", "numpy", "scipy", "torch"):
        assert any(r.startswith(package) for r in requires), f"{package} not in {requires}"
    assert "spec/mutation_survivors.toml" in names, "data file missing from the wheel"


def test_installed_spec_runs_from_outside_the_clone(installed, tmp_path):
    """`pytest --pyargs spec` from an empty folder imports the wheel's spec, passes 1.4
    against impl, and its meta-tests find their data files."""
    _, bin_dir = installed
    where = _run([str(bin_dir / "python"), "-c", "import spec; print(spec.__file__)"], tmp_path)
    assert str(bin_dir.parent) in where.stdout, where.stdout + where.stderr
    result = _run(
        [str(bin_dir / "pytest"), "-p", "no:cacheprovider", "-q", "--pyargs"]
        + ["spec.lecture01.test_ex1_4_cross_entropy_decomposition"]
        + ["spec.meta.test_mutation_survivors", "--impl", "impl"],
        cwd=tmp_path,
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    assert "conformance of impl" in result.stdout


def test_installed_spec_finds_a_local_package_by_its_dotted_name(installed, tmp_path):
    """`pytest --pyargs spec --impl mypkg` finds ./mypkg as `python -m pytest` would."""
    _, bin_dir = installed
    package = tmp_path / "mypkg"
    package.mkdir()
    (package / "__init__.py").write_text(
        "from impl.information import cross_entropy, entropy, kl_divergence  # noqa: F401\n"
    )
    result = _run(
        [str(bin_dir / "pytest"), "-p", "no:cacheprovider", "-q", "--pyargs", "spec"]
        + ["--impl", "mypkg", "--exercise", "1.4"],
        cwd=tmp_path,
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    assert "conformance of mypkg" in result.stdout and "failed" not in result.stdout
