"""Install what the browser tests need, only when it is missing.

Called by `./assistant test` before pytest. Quick (a few stat calls) when
everything is present:

- Debian's Chromium at /usr/bin/chromium (driven by Python Playwright through
  `executable_path`). It comes from apt; no browser build is ever downloaded
  (no `playwright install`).
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
APT_PACKAGES = ["chromium"]


def say(message: str) -> None:
    print(f"==> {message}", file=sys.stderr, flush=True)


def ensure_chromium() -> None:
    if CHROMIUM.exists():
        return
    if not shutil.which("apt-get"):
        raise SystemExit(
            f"ERROR: {CHROMIUM} is missing and apt-get is not available. Install Chromium "
            "with your package manager, or set CHROMIUM=/path/to/chromium."
        )
    if os.geteuid() != 0:
        raise SystemExit(
            f"ERROR: {CHROMIUM} is missing and installing it needs root. Run:\n"
            "  sudo apt-get update && sudo apt-get install -y --no-install-recommends chromium\n"
            "then run the tests again."
        )
    say("Installing Chromium from Debian for the browser tests (about 1 minute)")
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    try:
        subprocess.run(["apt-get", "update"], check=True, env=env, stdout=subprocess.DEVNULL)
        subprocess.run(
            ["apt-get", "install", "-y", "--no-install-recommends", *APT_PACKAGES],
            check=True, env=env, stdout=subprocess.DEVNULL,
        )
    except subprocess.CalledProcessError as error:
        raise SystemExit(f"ERROR: installing {APT_PACKAGES} failed ({error}); see apt-get's output above.") from None
    if not CHROMIUM.exists():
        raise SystemExit(f"ERROR: apt-get installed {APT_PACKAGES} but {CHROMIUM} is still missing")


def web_modules_current() -> bool:
    marker = WEB / "node_modules" / ".package-lock.json"
    lock = WEB / "package-lock.json"
    return marker.exists() and marker.stat().st_mtime >= lock.stat().st_mtime


def ensure_web_modules() -> None:
    if web_modules_current():
        return
    if not shutil.which("npm"):
        raise SystemExit("ERROR: npm is needed to install the web chat widget (web/package-lock.json). "
                         "Install Node.js 18 or newer.")
    say("Installing the web chat widget (npm ci --prefix web)")
    try:
        subprocess.run(["npm", "ci", "--prefix", str(WEB), "--ignore-scripts", "--no-audit", "--no-fund",
                        "--loglevel=error"], check=True)
    except subprocess.CalledProcessError as error:
        raise SystemExit(f"ERROR: npm ci --prefix web failed ({error}); see npm's output above.") from None


def main() -> int:
    if os.environ.get("SKIP_SYSTEM_DEPS") == "1":
        return 0
    ensure_chromium()
    ensure_web_modules()
    return 0


if __name__ == "__main__":
    sys.exit(main())
