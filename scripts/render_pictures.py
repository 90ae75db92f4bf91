"""Render the drawings in web/images/*.svg to the PNGs the channels send.

    .venv/bin/python -m scripts.render_pictures

The SVGs are the source; the PNGs are committed, because Telegram and Slack take no
SVG and the server should not need a browser to start. Debian's Chromium draws them
(the browser the tests use, driven by Playwright; no browser is downloaded), then
Pillow reduces them to a small palette so that each stays well under 100 kB.
Run it after editing an SVG, and commit both files.
"""

import io
import os
import sys
from pathlib import Path
from typing import List

from scripts.processes import ROOT

IMAGES = ROOT / "web" / "images"
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
# Flat colours and a few gradients: 128 colours keep the edges smooth.
PALETTE_COLOURS = 128


def render(svg_paths: List[Path]) -> List[Path]:
    from PIL import Image
    from playwright.sync_api import sync_playwright

    written = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu"]
        )
        page = browser.new_page(device_scale_factor=1)
        for svg in svg_paths:
            page.set_content(
                '<!DOCTYPE html><html><body style="margin:0">'
                + svg.read_text(encoding="utf-8")
                + "</body></html>"
            )
            shot = page.locator("svg").first.screenshot(type="png")
            image = Image.open(io.BytesIO(shot)).convert("RGB")
            small = image.quantize(colors=PALETTE_COLOURS, dither=Image.Dither.NONE)
            target = svg.with_suffix(".png")
            small.save(target, format="PNG", optimize=True)
            written.append(target)
        browser.close()
    return written


def main() -> int:
    for path in render(sorted(IMAGES.glob("*.svg"))):
        print(f"{path.relative_to(ROOT)}: {path.stat().st_size:,} bytes")
    return 0


if __name__ == "__main__":
    sys.exit(main())
