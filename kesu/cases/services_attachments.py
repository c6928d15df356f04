"""The attachment write path: check a file's real format, store it, record it — all or nothing.

A file is judged by its first bytes (PDF, Word, images, recordings), not only by the name the
customer's phone gave it, and the name's extension must agree with the content. The kind's type and
size limits are those of `kesu.cases.intake`. The record and its audit event go through
`services.attachment_add`; the file is stored under MEDIA_ROOT with a random name and removed again
if the transaction does not commit.
"""

from __future__ import annotations

import os
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, Protocol

from django.conf import settings
from django.core.files.storage import default_storage
from django.db import transaction

from kesu.accounts.models import User
from kesu.cases import intake, services
from kesu.cases.errors import InvalidInput
from kesu.cases.models import Attachment, Case

AUTO = "auto"
"""Kind chosen from the content: audio → 录音, image → 照片, anything else → 书面材料."""

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
EXTENSIONS: dict[str, str] = {
    ".pdf": "application/pdf",
    ".doc": "application/msword",
    ".docx": DOCX,
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".png": "image/png",
    ".gif": "image/gif",
    ".webp": "image/webp",
    ".heic": "image/heic",
    ".heif": "image/heic",
    ".mp3": "audio/mpeg",
    ".m4a": "audio/mp4",
    ".wav": "audio/wav",
    ".amr": "audio/amr",
    ".ogg": "audio/ogg",
    ".opus": "audio/ogg",
    ".aac": "audio/aac",
    ".txt": "text/plain",
}
"""The file names accepted, and the format each must contain."""

TYPE_NAMES: dict[str, str] = {
    "application/pdf": "PDF",
    "application/msword": "Word",
    DOCX: "Word",
    "image/jpeg": "JPG 图片",
    "image/png": "PNG 图片",
    "image/gif": "GIF 图片",
    "image/webp": "WEBP 图片",
    "image/heic": "HEIC 照片",
    "audio/mpeg": "MP3 录音",
    "audio/mp4": "M4A 录音",
    "audio/wav": "WAV 录音",
    "audio/amr": "AMR 录音",
    "audio/ogg": "OGG 录音",
    "audio/aac": "AAC 录音",
    "text/plain": "文本",
}
ACCEPTED_HINT = "PDF、Word、图片（JPG/PNG/GIF/WEBP/HEIC）、录音（MP3/M4A/WAV/AMR/OGG/AAC）或 TXT 文本"
_HEAD_BYTES = 64


class UploadLike(Protocol):
    """What is needed of an uploaded file (Django's UploadedFile satisfies it)."""

    name: str | None
    size: int | None

    def read(self, size: int = ...) -> bytes: ...
    def seek(self, offset: int, whence: int = ...) -> Any: ...


@dataclass(frozen=True)
class CheckedFile:
    name: str
    kind: str
    content_type: str
    size: int


# --- Recognising the format (pure) ------------------------------------------------------------


def _ftyp_type(head: bytes, ext: str) -> str:
    """ISO media files (M4A audio, HEIC photos, MP4 video) share one container; the brand tells."""
    brand = head[8:12]
    if brand in (b"heic", b"heix", b"mif1", b"msf1", b"heim", b"heis"):
        return "image/heic"
    if brand in (b"M4A ", b"M4B "):
        return "audio/mp4"
    # Generic brands (isom, mp42, 3gp…) may be audio or video: believe the name only if it says m4a.
    return "audio/mp4" if ext == ".m4a" else ""


def _looks_like_text(head: bytes) -> bool:
    if b"\x00" in head:
        return False
    for encoding in ("utf-8", "gb18030"):
        try:
            head.decode(encoding)
            return True
        except UnicodeDecodeError:
            continue
    # The sample may end inside a multi-byte character: allow a cut of up to three bytes.
    return any(_decodes(head[:-cut]) for cut in (1, 2, 3))


def _decodes(data: bytes) -> bool:
    try:
        data.decode("utf-8")
        return True
    except UnicodeDecodeError:
        return False


_MAGIC: tuple[tuple[bytes, str], ...] = (
    (b"%PDF-", "application/pdf"),
    (b"\x89PNG\r\n\x1a\n", "image/png"),
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"GIF87a", "image/gif"),
    (b"GIF89a", "image/gif"),
    (b"ID3", "audio/mpeg"),
    (b"#!AMR", "audio/amr"),
    (b"OggS", "audio/ogg"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "application/msword"),
)


def sniff_type(head: bytes, ext: str) -> str:
    """The format the first bytes of a file show ("" when not recognised). `ext` ('.m4a') only
    settles what the bytes leave open: which ZIP is a .docx, which ISO container is audio, text."""
    for magic, content_type in _MAGIC:
        if head.startswith(magic):
            return content_type
    if head[:4] == b"RIFF" and head[8:12] in (b"WAVE", b"WEBP"):
        return "audio/wav" if head[8:12] == b"WAVE" else "image/webp"
    if head[4:8] == b"ftyp":
        return _ftyp_type(head, ext)
    if len(head) >= 2 and head[0] == 0xFF and head[1] & 0xE0 == 0xE0:
        # An MPEG frame header: layer bits 00 are AAC (ADTS), anything else MP3.
        return "audio/aac" if head[1] & 0x06 == 0 else "audio/mpeg"
    if head.startswith(b"PK\x03\x04"):
        return DOCX if ext == ".docx" else ""
    if ext == ".txt" and _looks_like_text(head):
        return "text/plain"
    return ""


def clean_name(raw: str) -> str:
    """The file's own name without any folder part (old browsers send the full path), ≤ 200 chars."""
    name = os.path.basename((raw or "").replace("\\", "/")).strip() or "附件"
    if len(name) <= 200:
        return name
    stem, ext = os.path.splitext(name)
    return stem[: 200 - len(ext)] + ext


def _family(content_type: str) -> str:
    if content_type in ("application/msword", DOCX):
        return "word"
    return content_type.split("/")[0] if content_type.startswith(("audio/", "image/")) else content_type


def format_problem(name: str, head: bytes) -> tuple[str, str | None]:
    """(content type, None) for an accepted format, else ("", why not, in Chinese)."""
    ext = os.path.splitext(name)[1].lower()
    expected = EXTENSIONS.get(ext)
    if expected is None:
        shown = f"「{ext}」" if ext else "（无扩展名）"
        return "", f"不支持的文件类型{shown}，可上传 {ACCEPTED_HINT}"
    found = sniff_type(head, ext)
    if found and _family(found) == _family(expected):
        return found, None  # e.g. a PNG that a phone saved as .jpg: still a photo, kept as what it is
    return "", (
        f"文件内容与扩展名不符：扩展名是 {ext}，内容却不是 {TYPE_NAMES[expected]}"
        "（文件可能已损坏或被改过名），请核对后重新上传"
    )


def auto_kind(content_type: str) -> str:
    if content_type.startswith("audio/"):
        return "recording"
    if content_type.startswith("image/"):
        return "photo"
    return "document"


def check_upload(upload: UploadLike, kind: str = AUTO) -> CheckedFile:
    """Check one uploaded file against its name, content and kind; InvalidInput says why not."""
    name = clean_name(upload.name or "")
    upload.seek(0)
    head = upload.read(_HEAD_BYTES)
    upload.seek(0)
    size = upload.size or 0
    if size <= 0 or not head:
        raise InvalidInput(f"{name}：附件为空文件")
    content_type, problem = format_problem(name, head)
    if problem is None:
        kind = auto_kind(content_type) if kind == AUTO else kind
        problem = intake.attachment_problem(kind, content_type, size, settings.KESU_ATTACHMENT_MAX_BYTES)
    if problem:
        raise InvalidInput(f"{name}：{problem}")
    return CheckedFile(name=name, kind=kind, content_type=content_type, size=size)


# --- Storing (one transaction; files removed if it fails) -------------------------------------


@contextmanager
def _files_removed_on_failure() -> Iterator[list[str]]:
    """Yield a list to note stored file names in; if the block fails, delete those files.

    Wrap it around the transaction: a failure at commit time must remove the files too."""
    stored: list[str] = []
    try:
        yield stored
    except BaseException:
        for name in stored:
            default_storage.delete(name)
        raise


def _store(user: User, case: Case, upload: UploadLike, checked: CheckedFile, stored: list[str]) -> Attachment:
    att = services.attachment_add(
        user=user,
        case=case,
        kind=checked.kind,
        name=checked.name,
        content_type=checked.content_type,
        size=checked.size,
    )
    upload.seek(0)
    att.file.save(checked.name, upload, save=False)  # upload_to gives it a random name
    stored.append(att.file.name)
    att.save(update_fields=["file"])
    return att


def attachments_store(
    *, user: User, case: Case, files: Sequence[UploadLike], kind: str = AUTO
) -> list[Attachment]:
    """Add files to a case: every file is checked first; all are stored, or none is."""
    checked = [check_upload(f, kind) for f in files]
    if not checked:
        raise InvalidInput("请选择要上传的文件")
    with _files_removed_on_failure() as stored, transaction.atomic():
        return [_store(user, case, f, c, stored) for f, c in zip(files, checked, strict=True)]


def case_intake(
    *,
    user: User,
    files: Sequence[UploadLike] = (),
    kind: str = AUTO,
    merge_into: Case | None = None,
    **fields: Any,
) -> Case:
    """Record a complaint with its attachments (`services.case_open` takes `fields`), in one transaction.

    With `merge_into`, the complaint is then merged into that open case (`services.case_merge`):
    the repeated call keeps its own record — time, channel, text, files, audit trail — and the
    existing case, which is not rewritten, carries on. Returns the new case."""
    checked = [check_upload(f, kind) for f in files]
    with _files_removed_on_failure() as stored, transaction.atomic():
        case = services.case_open(user=user, **fields)
        for f, c in zip(files, checked, strict=True):
            _store(user, case, f, c, stored)
        if merge_into is not None:
            case = services.case_merge(user=user, case=case, into=merge_into, version=case.version)
    return case
