"""core.files: an upload's kind is read from its content, its extension must agree, its size is bounded."""

import io
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from core import files
from core.errors import InvalidInput
from core.inputs import FieldErrors

PDF = b"%PDF-1.7\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def _docx() -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("word/document.xml", "<w:document/>")
    return buf.getvalue()


def check(name, content, kinds=files.DOCUMENTS, max_bytes=files.MB):
    errors = FieldErrors()
    upload = SimpleUploadedFile(name, content, content_type="application/pdf")
    return files.upload_check(upload, kinds=kinds, max_bytes=max_bytes, errors=errors), errors


def test_a_pdf_passes_with_its_digest_and_a_clean_name():
    checked, errors = check("../../etc/证书\x00.pdf", PDF)
    assert not errors
    assert checked.kind.name == "pdf" and checked.size == len(PDF)
    assert checked.display_name == "证书.pdf" and len(checked.sha256) == 64


def test_the_content_decides_not_the_name_or_the_content_type():
    _, errors = check("brochure.pdf", b"MZ\x90\x00 this is a windows program")
    assert "文件类型不支持" in errors["file"][0] and "PDF" in errors["file"][0]
    _, errors = check("photo.pdf", PNG)  # a PNG renamed
    assert errors["file"] == ["文件内容是 PNG，扩展名应为 .png。"]


def test_size_is_bounded_and_empty_refused():
    _, errors = check("big.pdf", PDF + b"0" * 2048, max_bytes=1024)
    assert errors["file"][0].startswith("文件过大")
    _, errors = check("empty.pdf", b"")
    assert errors["file"] == ["文件是空的。"]


def test_office_documents_are_recognized_by_their_parts():
    checked, errors = check("方案.docx", _docx(), kinds=files.OFFICE)
    assert not errors and checked.kind.name == "docx"
    _, errors = check("方案.xlsx", _docx(), kinds=files.OFFICE)  # a Word file called .xlsx
    assert errors["file"][0].startswith("文件内容是 Word")


def test_upload_require_raises_the_api_error():
    with pytest.raises(InvalidInput) as exc:
        files.upload_require(SimpleUploadedFile("a.png", b"GIF89a"), kinds=files.IMAGES, max_bytes=files.MB)
    assert exc.value.code == "invalid_file" and exc.value.fields["file"]


def test_stored_names_carry_no_client_text(tmp_path):
    from django.core.files.storage import FileSystemStorage

    storage = FileSystemStorage(location=tmp_path)
    checked, _ = check("我的 证书 (1).pdf", PDF)
    name = files.upload_store(checked, prefix="achievements/7", storage=storage)
    assert name.startswith("achievements/7/") and name.endswith(".pdf") and "证书" not in name
    assert storage.open(name).read() == PDF
    with pytest.raises(ValueError):
        files.storage_name("../x", checked.kind)
