"""The lock file (`requirements.lock`) pins every dependency that `pyproject.toml` names,
with hashes, at a version its bounds allow: `make` installs from it alone, so a
dependency added without re-locking (`make upgrade`) would be missing on a fresh clone."""

import re
import tomllib
from pathlib import Path

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parent.parent


def _locked() -> dict[str, tuple[str, int]]:
    """name -> (version, number of hashes) for each pinned package of the lock file."""
    text = (ROOT / "requirements.lock").read_text()
    locked = {}
    for block in re.split(r"\n(?=[A-Za-z0-9])", text):
        match = re.match(r"([A-Za-z0-9][A-Za-z0-9._-]*)==(\S+)", block)
        if match:
            locked[canonicalize_name(match[1])] = (match[2], block.count("--hash=sha256:"))
    return locked


def _declared() -> list[Requirement]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())
    names = project["project"]["dependencies"] + project["project"]["optional-dependencies"]["test"]
    names += project["build-system"]["requires"]
    return [Requirement(name) for name in names]


def test_every_declared_dependency_is_locked_within_its_bounds_with_hashes():
    locked = _locked()
    for requirement in _declared():
        name = canonicalize_name(requirement.name)
        assert name in locked, f"{requirement.name} is in pyproject.toml but not in requirements.lock (make upgrade)"
        version, hashes = locked[name]
        assert requirement.specifier.contains(version, prereleases=True), f"{name}=={version} is outside {requirement}"
        assert hashes, f"{name} has no hash in requirements.lock"


def test_the_lock_file_names_no_index_of_its_own():
    """It installs from the ordinary package index of whoever runs it."""
    text = (ROOT / "requirements.lock").read_text()
    assert not re.search(r"^--(extra-)?index-url|^--find-links", text, re.M)
