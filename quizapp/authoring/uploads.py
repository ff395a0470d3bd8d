"""An uploaded set: a YAML file, or a zip of one YAML file and its images, read in memory.

Nothing of an upload touches the disk, and no name from it is ever used as a path: a zip's
member names are checked (no `..`, no absolute path, no backslash) and kept only as the names
the YAML uses for its images. Sizes are checked against what was read, not what the zip's
headers claim, so a zip bomb stops at the limit.
"""

from __future__ import annotations

import io
import posixpath
import zipfile
from dataclasses import dataclass, field

from flask_babel import lazy_gettext as _l

from ..bank.reader import MAX_BYTES as MAX_YAML_BYTES

MAX_UPLOAD_BYTES = 10_000_000  # the request: a zip of a set and its images
MAX_MEMBERS = 200
MAX_IMAGE_BYTES = 2_000_000
MAX_TOTAL_BYTES = 20_000_000  # all members of a zip, uncompressed
YAML_SUFFIXES = (".yaml", ".yml")
IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg", ".webp", ".svg")


class UploadError(Exception):
    """An upload refused as a whole, with the message a teacher reads."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass
class Upload:
    yaml: bytes
    display: str  # the YAML's name in messages (never a path on this server)
    images: dict[str, bytes] = field(default_factory=dict)


def read_upload(filename: str, data: bytes) -> Upload:
    """The YAML and images of an uploaded file, or UploadError."""
    name = filename.lower()
    if data.startswith(b"PK\x03\x04") or name.endswith(".zip"):
        return _read_zip(data)
    if not name.endswith(YAML_SUFFIXES):
        raise UploadError(str(_l("Upload a .yaml file, or a .zip of a .yaml file and its images.")))
    if len(data) > MAX_YAML_BYTES:
        raise UploadError(
            str(_l("The file is larger than %(size)s MB.", size=MAX_YAML_BYTES // 1_000_000))
        )
    return Upload(yaml=data, display=_display_name(filename))


def _display_name(filename: str) -> str:
    base = posixpath.basename(filename.replace("\\", "/")) or "set.yaml"
    return "".join(c for c in base if c.isprintable())[:100] or "set.yaml"


def safe_member_name(name: str) -> str | None:
    """A zip member's name as a relative POSIX name, or None if it could escape a folder."""
    if not name or "\\" in name or name.startswith("/") or ":" in name or "\x00" in name:
        return None
    parts = name.split("/")
    if any(part in ("..", ".") for part in parts):
        return None
    return posixpath.normpath(name)


def _read_zip(data: bytes) -> Upload:
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        members = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError):
        raise UploadError(str(_l("This is not a zip file that can be read."))) from None
    if len(members) > MAX_MEMBERS:
        raise UploadError(str(_l("The zip holds more than %(n)d files.", n=MAX_MEMBERS)))
    yaml_files: list[tuple[str, bytes]] = []
    images: dict[str, bytes] = {}
    total = 0
    for info in members:
        if info.is_dir():
            continue
        name = safe_member_name(info.filename)
        if name is None:
            raise UploadError(
                str(
                    _l("The zip has a file outside its folder: %(name)s.", name=info.filename[:200])
                )
            )
        lower = name.lower()
        if posixpath.basename(lower).startswith(".") or lower.startswith("__macosx/"):
            continue  # the hidden files archivers add
        if lower.endswith(YAML_SUFFIXES):
            limit = MAX_YAML_BYTES
        elif lower.endswith(IMAGE_SUFFIXES):
            limit = MAX_IMAGE_BYTES
        else:
            raise UploadError(
                str(_l("The zip may hold only a .yaml file and images: not %(name)s.", name=name))
            )
        content = _read_member(archive, info, limit)
        total += len(content)
        if total > MAX_TOTAL_BYTES:
            raise UploadError(str(_l("The zip's files are too large once unpacked.")))
        if lower.endswith(YAML_SUFFIXES):
            yaml_files.append((name, content))
        else:
            images[name] = content
    if len(yaml_files) != 1:
        raise UploadError(str(_l("The zip must hold exactly one .yaml file.")))
    name, content = yaml_files[0]
    # Images are named as the YAML names them: relative to the YAML's folder.
    folder = posixpath.dirname(name)
    if folder:
        images = {
            posixpath.relpath(k, folder): v for k, v in images.items() if k.startswith(folder + "/")
        }
    return Upload(yaml=content, display=_display_name(name), images=images)


def _read_member(archive: zipfile.ZipFile, info: zipfile.ZipInfo, limit: int) -> bytes:
    """A member's bytes, reading at most `limit` + 1 whatever its header says."""
    if info.file_size > limit:
        raise UploadError(str(_l("%(name)s is too large once unpacked.", name=info.filename[:200])))
    try:
        with archive.open(info) as member:
            content = member.read(limit + 1)
    except (zipfile.BadZipFile, OSError, RuntimeError, NotImplementedError, EOFError):
        raise UploadError(str(_l("This is not a zip file that can be read."))) from None
    if len(content) > limit:
        raise UploadError(str(_l("%(name)s is too large once unpacked.", name=info.filename[:200])))
    return content
