"""The setup script: without Python 3.10 it stops and says what to install."""

import shutil
import subprocess

from scripts.processes import ROOT


def test_setup_without_python_310_names_what_to_install(tmp_path):
    for name in ("assistant", "requirements.lock", "requirements-dev.lock"):
        shutil.copy(ROOT / name, tmp_path / name)
    result = subprocess.run(
        ["bash", str(tmp_path / "assistant"), "setup"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
        # No pyenv, no PYTHON310, a PATH without any 3.10 interpreter.
        env={"PATH": "/usr/bin:/bin", "HOME": str(tmp_path), "PYENV_ROOT": str(tmp_path / "none")},
    )
    assert result.returncode == 1
    assert "Python 3.10 was not found" in result.stderr
    assert "pyenv install 3.10" in result.stderr and "PYTHON310=" in result.stderr
    assert not (tmp_path / ".venv").exists()
