"""Images of a set: checked (type, size, pixels), stored by content hash, served so.

A question names an image by the file name its YAML gives (`image: {file: map.png, alt: ...}`);
the page shows it by its SHA-256 (`/images/<sha256>`), so a name such as `right-answer.png`
never reaches a student. A folder set's images are read next to its file (the schema's pattern
allows no `..`); a teacher's come from their upload, in memory. PNG, JPEG and WebP are opened
with Pillow to learn their format and size; an SVG is parsed as XML without a DOCTYPE (no
entities, no bombs) and always served with a CSP that runs no script, and shown through
`<img>`, which runs none either.
"""

from __future__ import annotations

import hashlib
import io
import re
import warnings
import xml.etree.ElementTree as ET
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import select

from ..extensions import db
from ..models import QuestionSet, SetImage
from .diagnostics import FileReport
from .messages import N_
from .schema import QuestionSetFile

MAX_PIXELS = 20_000_000
MAX_SIDE = 8_000
RASTER_TYPES = {"PNG": "image/png", "JPEG": "image/jpeg", "WEBP": "image/webp"}
SVG_TYPE = "image/svg+xml"


NOT_ACCEPTED = N_("only PNG, JPEG, WebP and SVG images are accepted")
TOO_LARGE = N_("the image is too large: at most %(n)s pixels a side")
UNREADABLE = N_("this is not an image that can be read")
SVG_DOCTYPE = N_("an SVG image may not declare a DOCTYPE or entities")
MISSING = N_("the image %(file)s is not found")
MISSING_HINT = N_("put it next to the YAML file (in a zip with it, for an upload)")
BAD_IMAGE = N_("the image %(file)s: %(reason)s")


class ImageError(Exception):
    pass


@dataclass(frozen=True)
class ImageInfo:
    sha256: str
    media_type: str
    width: int
    height: int
    data: bytes


def inspect(data: bytes) -> ImageInfo:
    """The type and size of an image, or ImageError with the reason."""
    digest = hashlib.sha256(data).hexdigest()
    if data.lstrip()[:5] in (b"<?xml", b"<svg ") or b"<svg" in data[:1000]:
        width, height = _svg_size(data)
        return ImageInfo(digest, SVG_TYPE, width, height, data)
    from PIL import Image, UnidentifiedImageError

    try:
        with warnings.catch_warnings():
            # Pillow only warns of a decompression bomb below twice its limit: refuse it too.
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(data))
        with image:
            if image.format not in RASTER_TYPES:
                raise ImageError(NOT_ACCEPTED)
            width, height = image.size
            if width * height > MAX_PIXELS or max(width, height) > MAX_SIDE:
                raise ImageError(TOO_LARGE % {"n": MAX_SIDE})
            image.verify()
            media_type = RASTER_TYPES[image.format]
    except (
        UnidentifiedImageError,
        OSError,
        SyntaxError,
        ValueError,
        Image.DecompressionBombError,
        Image.DecompressionBombWarning,
    ):
        raise ImageError(UNREADABLE) from None
    return ImageInfo(digest, media_type, width, height, data)


def _svg_size(data: bytes) -> tuple[int, int]:
    if b"<!DOCTYPE" in data or b"<!ENTITY" in data:
        raise ImageError(SVG_DOCTYPE)
    try:
        root = ET.fromstring(data)
    except ET.ParseError:
        raise ImageError(UNREADABLE) from None
    if not root.tag.endswith("svg"):
        raise ImageError(UNREADABLE)

    def number(value: str | None) -> float | None:
        match = re.match(r"\s*([0-9.]+)\s*(px)?\s*$", value or "")
        return float(match[1]) if match else None

    width, height = number(root.get("width")), number(root.get("height"))
    if (width is None or height is None) and root.get("viewBox"):
        parts = re.split(r"[\s,]+", root.get("viewBox", "").strip())
        if len(parts) == 4:
            width, height = number(parts[2]), number(parts[3])
    if not width or not height:
        width, height = 300.0, 150.0  # the browser's default for an image without a size
    return max(1, min(int(width), MAX_SIDE)), max(1, min(int(height), MAX_SIDE))


def references(spec: Any, path: tuple[Any, ...] = ()) -> Iterator[tuple[tuple[Any, ...], str]]:
    """Each `image.file` of a validated set or question, with the path of its value."""
    if isinstance(spec, dict):
        image = spec.get("image")
        if isinstance(image, dict) and isinstance(image.get("file"), str):
            yield (*path, "image", "file"), image["file"]
        for key, value in spec.items():
            if key != "image":
                yield from references(value, (*path, key))
    elif isinstance(spec, list):
        for index, value in enumerate(spec):
            yield from references(value, (*path, index))


Locate = Callable[[tuple[Any, ...]], tuple[int, int]]


def check_images(
    report: FileReport,
    model: QuestionSetFile,
    load: Callable[[str], bytes | None],
    locate: Locate | None = None,
) -> None:
    """Read the images the set names with `load` and check them, into `report.images`; each
    problem is an error of `report`, at the line of its `file:` when `locate` can say it."""
    found: dict[str, ImageInfo] = {}
    spec = model.model_dump(mode="json")
    for path, name in references(spec):
        if name in found:
            continue
        line, column = locate(path) if locate else (1, 1)
        data = load(name)
        if data is None:
            report.add(line, column, MISSING % {"file": repr(name)}, MISSING_HINT)
            continue
        try:
            found[name] = inspect(data)
        except ImageError as error:
            report.add(line, column, BAD_IMAGE % {"file": repr(name), "reason": str(error)})
    report.images = found


MAX_FILE_BYTES = 2_000_000


def folder_loader(base: Path) -> Callable[[str], bytes | None]:
    """Read a folder set's images next to its file (names are the schema's: no `..`)."""
    root = base.resolve()

    def load(name: str) -> bytes | None:
        path = (root / name).resolve()
        if not path.is_relative_to(root) or not path.is_file():
            return None
        if path.stat().st_size > MAX_FILE_BYTES:
            return b""  # refused by inspect as unreadable; the limit is the upload's
        return path.read_bytes()

    return load


def images_of(question_set: QuestionSet) -> dict[str, bytes]:
    return {
        row.name: row.data
        for row in db.session.scalars(select(SetImage).where(SetImage.set_id == question_set.id))
    }


def store_images(question_set: QuestionSet, images: dict[str, ImageInfo]) -> None:
    """Keep the set's images under their names; an image no longer named stays, for the
    earlier versions of its questions that attempts still show."""
    existing = {
        row.name: row
        for row in db.session.scalars(select(SetImage).where(SetImage.set_id == question_set.id))
    }
    for name, info in images.items():
        row = existing.get(name) or SetImage(set_id=question_set.id, name=name)
        row.sha256, row.media_type = info.sha256, info.media_type
        row.width, row.height, row.data = info.width, info.height, info.data
        db.session.add(row)


def image_by_hash(sha256: str) -> SetImage | None:
    if not re.fullmatch(r"[0-9a-f]{64}", sha256):
        return None
    return db.session.scalar(select(SetImage).where(SetImage.sha256 == sha256).limit(1))


def hashes_of(set_id: int) -> dict[str, SetImage]:
    """The set's images by name, for rendering (one query per page)."""
    return {
        row.name: row
        for row in db.session.scalars(select(SetImage).where(SetImage.set_id == set_id))
    }
