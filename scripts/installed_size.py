"""pip's installed size of the run-time lock and of the run-time + dev locks.

    python -m scripts.installed_size

Sums the files each installed distribution lists in its RECORD (what pip
installed), for the packages of requirements.lock (what the images install) and
of requirements.lock + requirements-dev.lock (this virtual environment). Without
a container engine this is the measure of what the images carry.
"""

import contextlib
import os
import re
from importlib import metadata
from pathlib import Path
from typing import Iterable, List

ROOT = Path(__file__).resolve().parent.parent


def locked_names(lock: Path) -> List[str]:
    lines = (line.strip() for line in lock.read_text().splitlines())
    return [re.split(r"==", line)[0] for line in lines if line and not line.startswith("#")]


def installed_bytes(names: Iterable[str]) -> int:
    total = 0
    for name in names:
        distribution = metadata.distribution(name)
        for file in distribution.files or []:
            # A file may be listed but not there (e.g. .pyc files never written).
            with contextlib.suppress(OSError):
                total += os.path.getsize(str(distribution.locate_file(file)))
    return total


def main() -> None:
    runtime = locked_names(ROOT / "requirements.lock")
    dev = locked_names(ROOT / "requirements-dev.lock")
    runtime_size, dev_size = installed_bytes(runtime), installed_bytes(dev)
    print(f"requirements.lock      {len(runtime):4d} packages  {runtime_size / 1e6:7.1f} MB")
    print(f"requirements-dev.lock  {len(dev):4d} packages  {dev_size / 1e6:7.1f} MB")
    print(
        f"both (before the split, what the images installed) "
        f"{(runtime_size + dev_size) / 1e6:.1f} MB; the images now carry "
        f"{100 * dev_size / (runtime_size + dev_size):.1f}% less"
    )


if __name__ == "__main__":
    main()
