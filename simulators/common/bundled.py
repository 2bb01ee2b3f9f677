"""Find the data folders (``schemas/``, ``scenarios/``) from a source checkout or an installed wheel.

In a checkout they sit at the repository root; a wheel carries them under ``simulators/_bundled/``
(see ``[tool.hatch.build.targets.wheel.force-include]`` in ``pyproject.toml``).
"""

from __future__ import annotations

from pathlib import Path

_PACKAGE_DIR = Path(__file__).resolve().parents[1]


def data_dir(name: str) -> Path:
    """Return the folder ``name`` (``"schemas"`` or ``"scenarios"``), wherever this install keeps it."""
    for candidate in (_PACKAGE_DIR / "_bundled" / name, _PACKAGE_DIR.parent / name):
        if candidate.is_dir():
            return candidate
    raise FileNotFoundError(
        f"the bundled {name!r} folder is missing: looked in {_PACKAGE_DIR / '_bundled'} and {_PACKAGE_DIR.parent}; "
        "reinstall scimgate"
    )
