"""Install what the browser tests need, only when it is missing.

Called by `./assistant test` before pytest. Quick (a few stat calls) when
everything is present:

- Debian's Chromium at /usr/bin/chromium (driven by Python Playwright through
  `executable_path`). It comes from apt; no browser build is ever downloaded
  (no `playwright install`).
- Debian's nginx (nginx-light) at /usr/sbin/nginx, for the topology run by
  tests/test_topology.py and `./assistant soak` (deploy/nginx.conf, as in the
  compose file).
- The web chat widget's node modules in web/node_modules (`npm ci --prefix web`),
  in case the assistant script did not install them already.

Exits non-zero with a clear message when something is missing and cannot be
installed (not root, no apt-get, no npm). Set SKIP_SYSTEM_DEPS=1 to skip.
"""

import os
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
WEB = ROOT / "web"
CHROMIUM = Path(os.environ.get("CHROMIUM", "/usr/bin/chromium"))
NGINX = Path(os.environ.get("NGINX", "/usr/sbin/nginx"))
APT_PACKAGES = ["chromium"]


def say(message: str) -> None:
    print(f"==> {message}", file=sys.stderr, flush=True)


def apt_install(path: Path, packages: "list[str]", what: str, variable: str) -> None:
    """Install Debian `packages` unless `path` exists; `what` is for the messages."""
    if path.exists():
        return
    if not shutil.which("apt-get"):
        raise SystemExit(
            f"ERROR: {path} is missing and apt-get is not available. Install {what} "
            f"with your package manager, or set {variable}=/path/to/it."
        )
    if os.geteuid() != 0:
        raise SystemExit(
            f"ERROR: {path} is missing and installing it needs root. Run:\n"
            f"  sudo apt-get update && sudo apt-get install -y --no-install-recommends "
            f"{' '.join(packages)}\nthen run the command again."
        )
    say(f"Installing {what} from Debian (apt-get install {' '.join(packages)})")
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    try:
        subprocess.run(["apt-get", "update"], check=True, env=env, stdout=subprocess.DEVNULL)
        subprocess.run(
            ["apt-get", "install", "-y", "--no-install-recommends", *packages],
            check=True,
            env=env,
            stdout=subprocess.DEVNULL,
        )
    except subprocess.CalledProcessError as error:
        raise SystemExit(
            f"ERROR: installing {packages} failed ({error}); see apt-get's output above."
        ) from None
    if not path.exists():
        raise SystemExit(f"ERROR: apt-get installed {packages} but {path} is still missing")


def ensure_chromium() -> None:
    apt_install(CHROMIUM, APT_PACKAGES, "Chromium for the browser tests", "CHROMIUM")


def ensure_nginx() -> None:
    # nginx-light: the smallest Debian build with what deploy/nginx.conf uses
    # (upstream ip_hash, proxying, WebSocket upgrade, real IP).
    apt_install(NGINX, ["nginx-light"], "nginx for the deployment topology", "NGINX")


def web_modules_current() -> bool:
    marker = WEB / "node_modules" / ".package-lock.json"
    lock = WEB / "package-lock.json"
    return marker.exists() and marker.stat().st_mtime >= lock.stat().st_mtime


def ensure_web_modules() -> None:
    if web_modules_current():
        return
    if not shutil.which("npm"):
        raise SystemExit(
            "ERROR: npm is needed to install the web chat widget (web/package-lock.json). "
            "Install Node.js 18 or newer."
        )
    say("Installing the web chat widget (npm ci --prefix web)")
    try:
        subprocess.run(
            [
                "npm",
                "ci",
                "--prefix",
                str(WEB),
                "--ignore-scripts",
                "--no-audit",
                "--no-fund",
                "--loglevel=error",
            ],
            check=True,
        )
    except subprocess.CalledProcessError as error:
        raise SystemExit(
            f"ERROR: npm ci --prefix web failed ({error}); see npm's output above."
        ) from None


def main() -> int:
    if os.environ.get("SKIP_SYSTEM_DEPS") == "1":
        return 0
    if "--nginx-only" in sys.argv[1:]:
        ensure_nginx()
        return 0
    ensure_chromium()
    ensure_nginx()
    ensure_web_modules()
    return 0


if __name__ == "__main__":
    sys.exit(main())
