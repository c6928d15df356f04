"""Attachments on the case page: upload with content check, scoped download, audit trail."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.contrib.messages import get_messages
from django.core.files.uploadedfile import SimpleUploadedFile
from django.template import Context, Template
from django.test import Client

from kesu.accounts.models import User
from kesu.cases.models import Case
from kesu.cases.services_attachments import DOCX, format_problem, sniff_type

PDF = b"%PDF-1.7\n1 0 obj\n<<>>\nendobj\n"
MP3 = b"ID3\x04\x00\x00\x00\x00\x00\x00" + b"\xff\xfb\x90\x00" * 8
WAV = b"RIFF\x24\x08\x00\x00WAVEfmt \x10\x00\x00\x00"
M4A = b"\x00\x00\x00\x20ftypM4A \x00\x00\x02\x00M4A mp42isom"
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00"
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR"


@pytest.fixture(autouse=True)
def media(settings: Any, tmp_path: Path) -> Path:
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def login(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def upload(client: Client, case: Case, *files: SimpleUploadedFile, kind: str = "auto") -> Any:
    return client.post(f"/cases/{case.pk}/attachments/", {"attachments": list(files), "kind": kind})


def said(response: Any) -> str:
    return " ".join(str(m) for m in get_messages(response.wsgi_request))


@pytest.mark.parametrize(
    ("head", "ext", "content_type"),
    [
        (PDF, ".pdf", "application/pdf"),
        (PNG, ".png", "image/png"),
        (JPEG, ".jpg", "image/jpeg"),
        (MP3, ".mp3", "audio/mpeg"),
        (b"\xff\xfb\x90\x64\x00", ".mp3", "audio/mpeg"),  # MP3 without an ID3 tag
        (WAV, ".wav", "audio/wav"),
        (M4A, ".m4a", "audio/mp4"),
        (b"#!AMR\n", ".amr", "audio/amr"),
        (b"PK\x03\x04\x14\x00", ".docx", DOCX),
        ("客户签字确认。".encode(), ".txt", "text/plain"),
        (b"MZ\x90\x00\x03", ".pdf", ""),  # a program is none of these
        (b"\x00\x00\x00\x18ftypmp42", ".mp4", ""),  # a video is not a recording
    ],
)
def test_format_is_read_from_the_first_bytes(head: bytes, ext: str, content_type: str) -> None:
    assert sniff_type(head, ext) == content_type


@pytest.mark.parametrize(
    ("name", "head", "problem"),
    [
        ("通话.mp3", MP3, None),
        ("截图.jpg", PNG, None),  # a PNG a phone saved as .jpg is still a photo
        ("合同.pdf", b"MZ\x90\x00", "内容却不是 PDF"),
        ("病毒.exe", b"MZ\x90\x00", "不支持的文件类型「.exe」"),
        ("无名", PDF, "无扩展名"),
    ],
)
def test_name_and_content_must_agree(name: str, head: bytes, problem: str | None) -> None:
    found = format_problem(name, head)[1]
    assert found == problem if problem is None else problem in (found or "")


def test_handler_uploads_on_the_case_page_and_the_upload_is_audited(
    people: dict[str, User], case: Case, media: Path
) -> None:
    response = upload(login(people["handler"]), case, SimpleUploadedFile("通话录音.mp3", MP3))
    assert response.status_code == 302 and response["Location"] == f"/cases/{case.pk}/#attachments"
    att = case.attachments.get()
    assert (att.kind, att.name, att.content_type) == ("recording", "通话录音.mp3", "audio/mpeg")
    assert att.size == len(MP3)
    assert "通话录音" not in att.file.name and (media / att.file.name).read_bytes() == MP3  # random name
    event = case.events.get(action="attach")
    assert event.actor == people["handler"] and "录音" in event.changes["attachment"]["new"]
    assert "已上传附件：通话录音.mp3（录音）" in said(response)


def test_download_gives_the_file_under_its_original_name(people: dict[str, User], case: Case) -> None:
    signed = SimpleUploadedFile("授权委托书.pdf", PDF)
    upload(login(people["handler"]), case, signed, kind="power_of_attorney")
    att = case.attachments.get()
    response = login(people["supervisor"]).get(f"/cases/{case.pk}/attachments/{att.pk}/")
    assert response.status_code == 200 and b"".join(response.streaming_content) == PDF
    assert response["Content-Type"] == "application/pdf"
    disposition = response["Content-Disposition"]
    assert disposition.startswith("attachment;") and "filename*=utf-8''%E6%8E%88" in disposition
    assert att.kind == "power_of_attorney"


def test_outsider_gets_404_for_download_and_upload(people: dict[str, User], case: Case) -> None:
    upload(login(people["handler"]), case, SimpleUploadedFile("照片.jpg", JPEG))
    att = case.attachments.get()
    outsider = login(people["outsider"])
    assert outsider.get(f"/cases/{case.pk}/attachments/{att.pk}/").status_code == 404
    assert upload(outsider, case, SimpleUploadedFile("x.pdf", PDF)).status_code == 404
    assert case.attachments.count() == 1
    other = Case.objects.create(**{**_fields(case), "number": "KS-OTHER"})
    assert login(people["handler"]).get(f"/cases/{other.pk}/attachments/{att.pk}/").status_code == 404


def _fields(case: Case) -> dict[str, Any]:
    keep = ("unit", "unit_path", "received_by", "owner", "complainant", "received_at", "text")
    return {k: getattr(case, k) for k in keep}


@pytest.mark.parametrize(
    ("name", "content", "kind", "words"),
    [
        ("报告.pdf", b"MZ\x90\x00 this is a program", "auto", "内容却不是 PDF"),
        ("setup.exe", b"MZ\x90\x00", "auto", "不支持的文件类型"),
        ("通话.mp3", MP3, "photo", "照片不接受该文件格式"),
        ("空.pdf", b"", "auto", "空文件"),
    ],
)
def test_wrong_files_are_refused_and_nothing_is_saved(
    people: dict[str, User], case: Case, media: Path, name: str, content: bytes, kind: str, words: str
) -> None:
    response = upload(login(people["handler"]), case, SimpleUploadedFile(name, content), kind=kind)
    assert response.status_code == 302 and words in said(response) and "附件未上传" in said(response)
    assert case.attachments.count() == 0 and not case.events.filter(action="attach").exists()
    assert [p for p in media.rglob("*") if p.is_file()] == []


def test_too_big_is_refused_and_one_bad_file_stops_the_batch(
    people: dict[str, User], case: Case, settings: Any
) -> None:
    settings.KESU_ATTACHMENT_MAX_BYTES = 1024 * 1024
    big = SimpleUploadedFile("扫描件.pdf", PDF + b"0" * (2 * 1024 * 1024))
    response = upload(login(people["handler"]), case, SimpleUploadedFile("ok.png", PNG), big)
    assert "附件过大" in said(response) and "扫描件.pdf" in said(response)
    assert case.attachments.count() == 0


def test_upload_needs_a_post_and_a_handling_role(people: dict[str, User], case: Case) -> None:
    assert login(people["handler"]).get(f"/cases/{case.pk}/attachments/").status_code == 405
    response = upload(login(people["legal"]), case, SimpleUploadedFile("a.pdf", PDF))
    assert "附件未上传" in said(response) and case.attachments.count() == 0
    assert upload(login(people["handler"]), case).status_code == 302  # no file: told, not a 500


def test_attachment_card_lists_files_with_download_links(people: dict[str, User], case: Case) -> None:
    upload(login(people["handler"]), case, SimpleUploadedFile("照片.jpg", JPEG))
    att = case.attachments.get()
    html = Template("{% load kesu_attachments %}{% attachment_card case %}").render(
        Context({"case": case, "user": people["handler"], "csrf_token": "t"})
    )
    assert f'href="/cases/{case.pk}/attachments/{att.pk}/"' in html and "照片.jpg" in html
    assert 'name="attachments"' in html and "授权委托书" in html and ".m4a" in html
