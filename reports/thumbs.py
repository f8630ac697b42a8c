"""Small JPEG thumbnails of bundle screenshots, embedded in the HTML report as data: URIs.

The report must stay one self-contained file, so screenshots go in as thumbnails; each links to
the full PNG inside the bundle. Full-page screenshots can be very tall: the thumbnail shows the
top of the page (what the customer saw first), cropped to a fixed box.
"""

from __future__ import annotations

import base64
import io
from dataclasses import dataclass
from pathlib import Path

from PIL import Image

THUMB_WIDTH = 360
THUMB_MAX_HEIGHT = 270
MAX_SOURCE_PIXELS = 40_000_000  # a screenshot bigger than this is not a screenshot; skip it
MAX_SOURCE_BYTES = 30 * 1024 * 1024


def inside(root: Path, relative: str) -> Path | None:
    """The file `relative` names under `root`, or None when it escapes root or is missing."""
    if not relative:
        return None
    base = root.resolve()
    path = (base / relative).resolve()
    if not path.is_relative_to(base) or not path.is_file():
        return None
    return path


@dataclass(frozen=True)
class Thumbnail:
    css_class: str  # the report defines each thumbnail once as a CSS class, however often cited
    data_uri: str
    width: int
    height: int


def thumbnail_data_uri(path: Path) -> tuple[str, int, int] | None:
    """(data:image/jpeg URI, width, height) of the top of the screenshot; None when unreadable."""
    try:
        if path.stat().st_size > MAX_SOURCE_BYTES:
            return None
        with Image.open(path) as image:
            width, height = image.size
            if width <= 0 or height <= 0 or width * height > MAX_SOURCE_PIXELS:
                return None
            scale = min(1.0, THUMB_WIDTH / width)
            crop_height = min(height, round(THUMB_MAX_HEIGHT / scale))
            top = image.crop((0, 0, width, crop_height)).convert("RGB")
            size = (max(1, round(width * scale)), max(1, round(crop_height * scale)))
            top = top.resize(size, Image.Resampling.LANCZOS)
            buffer = io.BytesIO()
            top.save(buffer, "JPEG", quality=72, optimize=True)
    except (OSError, ValueError, Image.DecompressionBombError):
        return None  # a broken screenshot must not stop the report
    uri = "data:image/jpeg;base64," + base64.b64encode(buffer.getvalue()).decode("ascii")
    return uri, size[0], size[1]


class ThumbnailCache:
    """Each screenshot is shrunk once and embedded once, however many verdicts cite it."""

    def __init__(self, root: Path):
        self.root = root
        self._cache: dict[str, Thumbnail | None] = {}

    def get(self, relative: str) -> Thumbnail | None:
        if relative not in self._cache:
            path = inside(self.root, relative)
            made = thumbnail_data_uri(path) if path else None
            self._cache[relative] = (
                Thumbnail(f"shot-{len(self.thumbnails())}", *made) if made else None
            )
        return self._cache[relative]

    def thumbnails(self) -> list[Thumbnail]:
        return [t for t in self._cache.values() if t is not None]
