"""Crops of a screenshot around an evidence selector, so a reader sees what the check saw.

The crawler saves each visible element's page box in the page HTML (data-b2cect-box="x,y,w,h",
CSS px; docs/bundle-format.md). Here the evidence selector is resolved in that saved HTML, the
nearest element (or ancestor) with a box gives the rectangle, and the step's screenshot is cut
around it with a margin. Bundles saved before boxes existed simply get no crop.
"""

from __future__ import annotations

import base64
import io
import logging
from pathlib import Path

from b2cect.crawler.bundle import Bundle
from bs4 import BeautifulSoup, Tag
from PIL import Image, ImageDraw

from .thumbs import MAX_SOURCE_BYTES, MAX_SOURCE_PIXELS, Thumbnail, inside

BOX_ATTR = "data-b2cect-box"
DPR_ATTR = "data-b2cect-dpr"
MARGIN = 48  # CSS px of context around the element
MAX_CROP = (1000, 560)  # CSS px; a larger element is shown from its top-left
MIN_ASPECT = 0.45  # height / width of a crop at least
OUTLINE = (224, 130, 0)  # the element's frame in the crop
CROP_WIDTH = 360  # px of the embedded JPEG
MAX_HTML_BYTES = 8 * 1024 * 1024
log = logging.getLogger(__name__)


def parse_box(value: str) -> tuple[float, float, float, float] | None:
    try:
        x, y, w, h = (float(part) for part in value.split(","))
    except (ValueError, AttributeError):
        return None
    if w <= 0 or h <= 0 or x < -10_000 or y < -10_000:
        return None
    return x, y, w, h


def _device_pixel_ratio(soup: BeautifulSoup) -> float:
    """Screenshot pixels per CSS px, as the crawler recorded it (1 when it did not)."""
    root = soup.find("html")
    try:
        ratio = float(root.get(DPR_ATTR, 1)) if isinstance(root, Tag) else 1.0
    except (TypeError, ValueError):
        return 1.0
    return ratio if 0.5 <= ratio <= 4 else 1.0


class CropMaker:
    """Crops for one bundle: each page's HTML is parsed once and each crop made once."""

    def __init__(self, bundle: Bundle):
        self.bundle = bundle
        self._html = {s.id: s.html for s in bundle.steps if s.html}
        self._soups: dict[str, BeautifulSoup | None] = {}
        self._crops: dict[tuple[str | float, ...], Thumbnail | None] = {}

    def crop(self, step_id: str, selector: str, screenshot: str) -> Thumbnail | None:
        """The crop for one evidence; the same area of the same screenshot is made (and
        embedded) once, whichever selectors lead to it."""
        found = self.box(step_id, selector)
        if found is None:
            return None
        key = (screenshot, *found[0], found[1])
        if key not in self._crops:
            path = inside(self.bundle.root, screenshot)
            made = crop_data_uri(path, found[0], found[1]) if path else None
            self._crops[key] = Thumbnail(f"crop-{len(self._crops)}", *made) if made else None
        return self._crops[key]

    def box(self, step_id: str, selector: str) -> tuple[tuple[float, ...], float] | None:
        """((x, y, w, h), device pixel ratio) of the selector's element on that step's page."""
        soup = self._soup(step_id)
        if soup is None or not selector:
            return None
        try:
            element = soup.select_one(selector)
        except Exception:  # noqa: BLE001 - a selector soupsieve cannot read gives no crop
            return None
        while isinstance(element, Tag):
            box = parse_box(str(element.get(BOX_ATTR, "")))
            if box:
                return box, _device_pixel_ratio(soup)
            element = element.parent
        return None

    def _soup(self, step_id: str) -> BeautifulSoup | None:
        if step_id not in self._soups:
            path = inside(self.bundle.root, self._html.get(step_id, ""))
            soup = None
            if path and path.stat().st_size <= MAX_HTML_BYTES:
                text = path.read_text(encoding="utf-8", errors="replace")
                if BOX_ATTR in text:  # pages saved without boxes are not worth parsing
                    soup = BeautifulSoup(text, "lxml")
            self._soups[step_id] = soup
        return self._soups[step_id]


def crop_data_uri(
    path: Path, box: tuple[float, ...], dpr: float = 1.0
) -> tuple[str, int, int] | None:
    """(data:image/jpeg URI, width, height) of the screenshot around box; None when the box is
    outside the picture or the picture cannot be read."""
    x, y, w, h = box
    w, h = min(w, MAX_CROP[0] - 2 * MARGIN), min(h, MAX_CROP[1] - 2 * MARGIN)
    left, top = max(0.0, x - MARGIN), max(0.0, y - MARGIN)
    right, bottom = x + w + MARGIN, y + h + MARGIN
    # A line of text is wide and low: show the lines around it too, or the crop is a sliver.
    short = MIN_ASPECT * (right - left) - (bottom - top)
    if short > 0:
        top = max(0.0, top - short / 2)
        bottom = top + MIN_ASPECT * (right - left)
    try:
        if path.stat().st_size > MAX_SOURCE_BYTES:
            return None
        with Image.open(path) as image:
            width, height = image.size
            if width * height > MAX_SOURCE_PIXELS:
                return None
            area = tuple(round(v * dpr) for v in (left, top, right, bottom))
            area = (area[0], area[1], min(area[2], width), min(area[3], height))
            if area[2] - area[0] < 8 or area[3] - area[1] < 8:
                return None  # below the screenshot's cut, or off to the side
            part = image.crop(area).convert("RGB")
            # Outline the element itself, so the eye finds it among its neighbours.
            mark = [round(v * dpr) for v in (x, y, x + w, y + h)]
            ImageDraw.Draw(part).rectangle(
                (
                    mark[0] - area[0] - 3,
                    mark[1] - area[1] - 3,
                    mark[2] - area[0] + 3,
                    mark[3] - area[1] + 3,
                ),
                outline=OUTLINE,
                width=max(2, round(2 * dpr * part.width / CROP_WIDTH)),
            )
            scale = min(1.0, CROP_WIDTH / part.width)
            size = (max(1, round(part.width * scale)), max(1, round(part.height * scale)))
            part = part.resize(size, Image.Resampling.LANCZOS)
            buffer = io.BytesIO()
            part.save(buffer, "JPEG", quality=80, optimize=True)
    except (OSError, ValueError, Image.DecompressionBombError) as exc:
        log.debug("no crop from %s: %s", path, exc)
        return None
    uri = "data:image/jpeg;base64," + base64.b64encode(buffer.getvalue()).decode("ascii")
    return uri, size[0], size[1]
