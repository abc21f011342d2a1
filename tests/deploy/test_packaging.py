"""Reproducible builds: the lock file pins every dependency with hashes, the image installs from it, `make sbom`
lists what it installs; the build system and the optional extras are declared as the code needs them."""

from __future__ import annotations

import json
import re
import subprocess
import sys
import tomllib
from pathlib import Path
from typing import Any

from packaging.requirements import Requirement
from packaging.specifiers import SpecifierSet
from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parents[2]
LOCK = ROOT / "requirements.lock"


def _pyproject() -> dict[str, Any]:
    return tomllib.loads((ROOT / "pyproject.toml").read_text())


def _locked() -> dict[str, str]:
    """name -> version of each pin; every pin carries at least one hash."""
    text = LOCK.read_text()
    pins = {}
    for block in re.split(r"\n(?=\S)", text):
        m = re.match(r"([A-Za-z0-9._-]+)==([^\s;\\]+)", block)
        if m:
            assert "--hash=sha256:" in block, f"{m.group(1)} is pinned without a hash"
            pins[canonicalize_name(m.group(1))] = m.group(2)
    return pins


def test_the_lock_pins_every_dependency_of_the_image_within_its_range() -> None:
    project = _pyproject()["project"]
    locked = _locked()
    extras = project["optional-dependencies"]
    wanted = [Requirement(r) for r in project["dependencies"] + extras["evaluation"] + extras["otel"]]
    for req in wanted:
        name = canonicalize_name(req.name)
        assert name in locked, f"{req.name} is not in requirements.lock: regenerate it (command at its top)"
        assert req.specifier.contains(locked[name], prereleases=True), f"{req} but the lock has {locked[name]}"
    assert "uv pip compile pyproject.toml --extra evaluation --extra otel" in LOCK.read_text().splitlines()[1]


def test_the_image_installs_the_locked_dependencies_by_hash_before_the_code() -> None:
    steps = [line for line in (ROOT / "Dockerfile").read_text().splitlines() if line.startswith(("COPY", "RUN"))]
    install_lock = next(i for i, s in enumerate(steps) if "-r requirements.lock" in s)
    assert "--require-hashes" in steps[install_lock]
    assert steps[install_lock - 1] == "COPY requirements.lock ./"
    install_code = next(i for i, s in enumerate(steps) if re.search(r"pip install .*--no-deps \.", s))
    assert install_lock < install_code  # the project adds nothing unlocked
    assert all(not s.startswith("RUN pip install") or i in (install_lock, install_code) for i, s in enumerate(steps))


def test_the_build_system_can_read_the_spdx_licence() -> None:
    pyproject = _pyproject()
    (setuptools,) = [Requirement(r) for r in pyproject["build-system"]["requires"] if r.startswith("setuptools")]
    assert not setuptools.specifier.contains("76.9") and setuptools.specifier.contains("77.0")
    assert isinstance(pyproject["project"]["license"], str)  # an SPDX expression (PEP 639)


def test_pyarrow_is_an_extra_that_the_dev_install_includes() -> None:
    pyproject = _pyproject()
    names = {canonicalize_name(Requirement(r).name) for r in pyproject["project"]["dependencies"]}
    assert "pyarrow" not in names
    extras = pyproject["project"]["optional-dependencies"]
    assert [Requirement(r).name for r in extras["evaluation"]] == ["pyarrow"]
    dev = {canonicalize_name(Requirement(r).name): Requirement(r) for r in extras["dev"]}
    assert dev["pyarrow"].specifier == SpecifierSet(str(Requirement(extras["evaluation"][0]).specifier))
    assert not any("passlib" in str(f) for f in pyproject["tool"]["pytest"]["ini_options"].get("filterwarnings", []))


def test_make_sbom_lists_every_locked_package(tmp_path: Path) -> None:
    sbom = tmp_path / "sbom.cdx.json"
    bin_dir = Path(sys.executable).parent
    done = subprocess.run(
        ["make", "--no-print-directory", "-o", ".venv/.installed", "sbom", f"SBOM={sbom}", f"BIN={bin_dir}"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    bom = json.loads(sbom.read_text())
    assert bom["bomFormat"] == "CycloneDX"
    assert bom["metadata"]["component"]["name"] == "centrale-operativa"
    listed = {canonicalize_name(c["name"]): c["version"] for c in bom["components"]}
    assert listed == _locked()
    assert all(c["purl"].startswith("pkg:pypi/") for c in bom["components"])
