"""Uploaded files: one check of size and kind, and storage names that carry no client text.

Every app that accepts a file (an achievement's attachments, a deposit's bank receipt, a data
room's documents) calls ``upload_check`` with the kinds it accepts and its size limit. The kind
is read from the file's first bytes, never from the name or the ``Content-Type`` the client
sent, and the name's extension must agree with it: a ``.pdf`` that is really an executable, or a
PNG renamed ``.pdf``, is refused. ``storage_name`` gives the stored object a random name under a
prefix, so nothing the client typed reaches a path on disk or a key in a bucket; the original
name is kept only for display (``display_name``).

Files are written through Django's default storage (``settings.STORAGES["default"]``): the
filesystem under ``var/media`` by default, an S3-compatible bucket (django-storages) when the
environment names one. Callers serve them through a view that checks who may read them
(``file_response``), never from a public media URL.
"""

from __future__ import annotations

import hashlib
import io
import posixpath
import re
import unicodedata
import uuid
import zipfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import IO, Any

from django.core.files.storage import Storage, default_storage
from django.http import FileResponse
from django.utils.translation import gettext as _

from .errors import InvalidInput
from .inputs import FieldErrors

SNIFF_BYTES = 4096


def _ooxml(part: str) -> Callable[[bytes, IO[bytes]], bool]:
    """An Office Open XML file is a zip whose ``[Content_Types].xml`` sits beside ``part``/."""

    def sniff(head: bytes, stream: IO[bytes]) -> bool:
        if not head.startswith(b"PK\x03\x04"):
            return False
        try:
            stream.seek(0)
            with zipfile.ZipFile(stream) as archive:
                names = archive.namelist()
        except (zipfile.BadZipFile, OSError, ValueError):
            return False
        finally:
            stream.seek(0)
        return "[Content_Types].xml" in names and any(n.startswith(part + "/") for n in names)

    return sniff


def _starts(*magic: bytes) -> Callable[[bytes, IO[bytes]], bool]:
    return lambda head, _stream: any(head.startswith(m) for m in magic)


def _webp(head: bytes, _stream: IO[bytes]) -> bool:
    return head[:4] == b"RIFF" and head[8:12] == b"WEBP"


@dataclass(frozen=True)
class FileKind:
    """A kind of file the market accepts somewhere: how to recognize it and how to serve it."""

    name: str
    label: str
    content_type: str
    extensions: tuple[str, ...]
    sniff: Callable[[bytes, IO[bytes]], bool]
    is_image: bool = False


KINDS: dict[str, FileKind] = {
    k.name: k
    for k in (
        FileKind("pdf", "PDF", "application/pdf", (".pdf",), _starts(b"%PDF-")),
        FileKind("png", "PNG", "image/png", (".png",), _starts(b"\x89PNG\r\n\x1a\n"), is_image=True),
        FileKind("jpeg", "JPEG", "image/jpeg", (".jpg", ".jpeg"), _starts(b"\xff\xd8\xff"), is_image=True),
        FileKind("webp", "WebP", "image/webp", (".webp",), _webp, is_image=True),
        FileKind(
            "docx",
            "Word",
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
            (".docx",),
            _ooxml("word"),
        ),
        FileKind(
            "xlsx",
            "Excel",
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            (".xlsx",),
            _ooxml("xl"),
        ),
        FileKind(
            "pptx",
            "PowerPoint",
            "application/vnd.openxmlformats-officedocument.presentationml.presentation",
            (".pptx",),
            _ooxml("ppt"),
        ),
    )
}

IMAGES = ("png", "jpeg", "webp")
DOCUMENTS = ("pdf", *IMAGES)
OFFICE = ("pdf", "docx", "xlsx", "pptx", *IMAGES)

MB = 1024 * 1024


@dataclass(frozen=True)
class CheckedUpload:
    """An upload that passed ``upload_check``: what it is, how big, its digest, a safe name."""

    file: Any
    kind: FileKind
    size: int
    sha256: str
    display_name: str


def display_name(name: str, *, max_length: int = 120) -> str:
    """The client's file name made fit to show: no directories, no control characters, bounded."""
    name = unicodedata.normalize("NFC", str(name or ""))
    name = posixpath.basename(name.replace("\\", "/"))
    name = "".join(ch for ch in name if unicodedata.category(ch)[0] != "C").strip().strip(".")
    if len(name) > max_length:
        stem, ext = posixpath.splitext(name)
        name = stem[: max_length - len(ext)] + ext
    return name or "file"


def _human_size(size: int) -> str:
    return f"{size / MB:.0f} MB" if size >= MB else f"{size // 1024} KB"


def upload_check(
    upload: Any,
    *,
    kinds: Iterable[str],
    max_bytes: int,
    errors: FieldErrors,
    field: str = "file",
) -> CheckedUpload | None:
    """Check one uploaded file; on failure add the reason to ``errors[field]`` and return None.

    ``kinds`` names entries of ``KINDS``. The file must be non-empty, at most ``max_bytes``, start
    with the signature of one of the kinds, and carry an extension of that same kind.
    """
    allowed = [KINDS[k] for k in kinds]
    if upload is None or not hasattr(upload, "read"):
        errors.add(field, _("请选择文件。"))
        return None
    size = getattr(upload, "size", None)
    if size is None:
        upload.seek(0, io.SEEK_END)
        size = upload.tell()
    upload.seek(0)
    if size == 0:
        errors.add(field, _("文件是空的。"))
        return None
    if size > max_bytes:
        errors.add(
            field,
            _("文件过大（%(size)s），上限 %(limit)s。")
            % {"size": _human_size(size), "limit": _human_size(max_bytes)},
        )
        return None
    head = upload.read(SNIFF_BYTES)
    upload.seek(0)
    labels = "、".join(k.label for k in allowed)
    kind = next((k for k in allowed if k.sniff(head, upload)), None)
    if kind is None:
        errors.add(field, _("文件类型不支持，只接受 %(kinds)s。") % {"kinds": labels})
        return None
    name = display_name(getattr(upload, "name", "") or "")
    ext = posixpath.splitext(name)[1].lower()
    if ext not in kind.extensions:
        errors.add(
            field,
            _("文件内容是 %(kind)s，扩展名应为 %(ext)s。") % {"kind": kind.label, "ext": kind.extensions[0]},
        )
        return None
    digest = hashlib.sha256()
    for chunk in upload.chunks() if hasattr(upload, "chunks") else iter(lambda: upload.read(MB), b""):
        digest.update(chunk)
    upload.seek(0)
    return CheckedUpload(file=upload, kind=kind, size=size, sha256=digest.hexdigest(), display_name=name)


def upload_require(
    upload: Any, *, kinds: Iterable[str], max_bytes: int, field: str = "file"
) -> CheckedUpload:
    """``upload_check`` for a service that takes one file: raises 400 ``invalid_file``."""
    errors = FieldErrors()
    checked = upload_check(upload, kinds=kinds, max_bytes=max_bytes, errors=errors, field=field)
    if checked is None:
        raise InvalidInput("invalid_file", errors[field][0], fields=dict(errors))
    return checked


_PREFIX = re.compile(r"^[a-z0-9_\-/]+$")


def storage_name(prefix: str, kind: FileKind) -> str:
    """A fresh object name under ``prefix`` (``"achievements/12"``): random, with the kind's extension."""
    if not _PREFIX.match(prefix) or ".." in prefix:
        raise ValueError(f"storage prefix {prefix!r}")
    return f"{prefix.strip('/')}/{uuid.uuid4().hex}{kind.extensions[0]}"


def upload_store(checked: CheckedUpload, *, prefix: str, storage: Storage | None = None) -> str:
    """Write a checked upload to storage; returns the stored name (which may differ if taken).

    Call it after the database row's checks, and inside the service's transaction: a rollback
    leaves an orphan object, never a row without its file.
    """
    storage = storage or default_storage
    checked.file.seek(0)
    return storage.save(storage_name(prefix, checked.kind), checked.file)


def file_response(
    name: str, *, kind: str, download_name: str, inline: bool = True, storage: Storage | None = None
) -> FileResponse:
    """Serve a stored file with its checked type, never sniffed by the browser."""
    storage = storage or default_storage
    known = KINDS[kind]
    response = FileResponse(
        storage.open(name, "rb"),
        content_type=known.content_type,
        as_attachment=not (inline and (known.is_image or known.name == "pdf")),
        filename=download_name,
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, max-age=300"
    return response
