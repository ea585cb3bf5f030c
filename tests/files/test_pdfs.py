"""Finding 8 of issue 12: PDFs are parsed (pikepdf) and active content is refused.

The attack: the old check was a regex over the raw bytes, so names written with #xx escapes
(/J#61vaScript, /Open#41ction) passed, and so did JavaScript inside a compressed object
stream. Every PDF here is a real one, built with pikepdf (or, for the escaped names, written
out by hand with a correct cross-reference table, which pikepdf then reads without repair).
"""

from __future__ import annotations

import io
import re

import pikepdf
import pytest
from pikepdf import Array, Dictionary, Name, String

from portal.files.checks import UploadRejected, check_upload
from portal.files.service import PDF

LIMIT = 8 * 1024 * 1024
SCRIPTS = "脚本或其他文件"


@pytest.fixture(autouse=True)
def in_request(app):
    with app.test_request_context():  # the messages are translated, in Chinese
        yield


def build(change=None, **save) -> bytes:
    """A one-page PDF with a line of text, changed by ``change(pdf)`` before saving."""
    pdf = pikepdf.new()
    pdf.add_blank_page(page_size=(595, 842))
    page = pdf.pages[0]
    font = pdf.make_indirect(Dictionary(Type=Name.Font, Subtype=Name.Type1,
                                        BaseFont=Name.Helvetica))
    page.Resources = Dictionary(Font=Dictionary(F1=font))
    page.Contents = pdf.make_stream(b"BT /F1 24 Tf 72 720 Td (Community notice) Tj ET")
    if change:
        change(pdf)
    out = io.BytesIO()
    pdf.save(out, **save)
    return out.getvalue()


def javascript(pdf, code="app.alert('hi')"):
    return pdf.make_indirect(Dictionary(S=Name.JavaScript, JS=String(code)))


def refused(data: bytes) -> str:
    with pytest.raises(UploadRejected) as error:
        check_upload(data, PDF, LIMIT)
    return str(error.value.message)


def test_a_plain_pdf_with_a_link_is_kept_byte_for_byte():
    def link(pdf):
        pdf.pages[0].Annots = pdf.make_indirect(Array([pdf.make_indirect(Dictionary(
            Type=Name.Annot, Subtype=Name.Link, Rect=[72, 700, 300, 740],
            A=Dictionary(S=Name.URI, URI=String("https://example.org/"))))]))
        pdf.Root.OpenAction = Array([pdf.pages[0].obj, Name.Fit])  # "open at page 1"

    data = build(link)
    assert check_upload(data, PDF, LIMIT).content == data


def test_open_action_javascript_is_refused():
    assert SCRIPTS in refused(build(lambda pdf: setattr(pdf.Root, "OpenAction",
                                                        javascript(pdf))))


def test_javascript_in_the_names_tree_is_refused():
    def names(pdf):
        pdf.Root.Names = Dictionary(JavaScript=Dictionary(
            Names=Array([String("greet"), javascript(pdf)])))

    refused(build(names))


def test_additional_actions_on_a_page_are_refused():
    def page_aa(pdf):
        pdf.pages[0].AA = Dictionary(O=javascript(pdf))

    refused(build(page_aa))


def test_a_launch_action_in_an_annotation_is_refused():
    def launch(pdf):
        pdf.pages[0].Annots = Array([pdf.make_indirect(Dictionary(
            Type=Name.Annot, Subtype=Name.Link, Rect=[0, 0, 100, 100],
            A=Dictionary(S=Name.Launch, F=String("cmd.exe"))))])

    refused(build(launch))


def test_an_embedded_file_is_refused():
    def attach(pdf):
        spec = pikepdf.AttachedFileSpec(pdf, b"MZ not really a program", filename="a.exe")
        pdf.attachments["a.exe"] = spec

    refused(build(attach))


def test_xfa_forms_and_fields_with_scripts_are_refused():
    def xfa(pdf):
        pdf.Root.AcroForm = Dictionary(Fields=Array([]), XFA=pdf.make_stream(b"<xdp/>"))

    def field_script(pdf):
        field = pdf.make_indirect(Dictionary(
            FT=Name.Tx, T=String("amount"), Rect=[72, 600, 300, 630], Subtype=Name.Widget,
            Type=Name.Annot, AA=Dictionary(K=javascript(pdf, "event.value = 1"))))
        pdf.pages[0].Annots = Array([field])
        pdf.Root.AcroForm = Dictionary(Fields=Array([field]))

    refused(build(xfa))
    refused(build(field_script))


def test_a_plain_fillable_form_is_accepted():
    def form(pdf):
        field = pdf.make_indirect(Dictionary(
            FT=Name.Tx, T=String("name"), Rect=[72, 600, 300, 630], Subtype=Name.Widget,
            Type=Name.Annot))
        pdf.pages[0].Annots = Array([field])
        pdf.Root.AcroForm = Dictionary(Fields=Array([field]))

    data = build(form)
    assert check_upload(data, PDF, LIMIT).content == data


def test_javascript_inside_a_compressed_object_stream_is_refused():
    data = build(lambda pdf: setattr(pdf.Root, "OpenAction", javascript(pdf)),
                 object_stream_mode=pikepdf.ObjectStreamMode.generate, compress_streams=True)
    # The words are not in the file's bytes at all: a byte search could not have seen them.
    assert b"JavaScript" not in data and b"OpenAction" not in data
    refused(data)


def hand_written(objects: list[bytes]) -> bytes:
    """A PDF from object bodies, with a correct xref table (so no repair is needed)."""
    out = bytearray(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    for offset in offsets:
        out += b"%010d 00000 n \n" % offset
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1, xref)
    return bytes(out)


def test_names_written_with_hex_escapes_are_refused():
    content = b"BT /F1 12 Tf 72 720 Td (hello) Tj ET"
    data = hand_written([
        b"<< /Type /Catalog /Pages 2 0 R /Open#41ction 4 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << >> "
        b"/Contents 5 0 R >>",
        b"<< /S /J#61vaScript /J#53 (app.alert\\(1\\)) >>",
        b"<< /Length %d >>\nstream\n" % len(content) + content + b"\nendstream",
    ])
    assert not re.search(rb"/(JavaScript|JS|OpenAction)\b", data)  # what the regex missed
    with pikepdf.open(io.BytesIO(data)) as pdf:
        assert not pdf.get_warnings()  # a well-formed file, read as any viewer reads it
        assert str(pdf.Root.OpenAction.S) == "/JavaScript"
    refused(data)


def test_a_password_locked_pdf_is_refused_with_its_own_message():
    pdf = pikepdf.open(io.BytesIO(build()))
    out = io.BytesIO()
    pdf.save(out, encryption=pikepdf.Encryption(user="secret", owner="secret"))
    assert "密码" in refused(out.getvalue())


def test_a_broken_pdf_is_refused_and_a_repaired_one_is_stored_as_checked():
    assert "读不了" in refused(b"%PDF-1.7\n" + b"garbage " * 100 + b"\n%%EOF\n")
    good = build()
    damaged = good.replace(b"startxref", b"startxref\n999999\n%%EOF\n%startxref", 1)
    stored = check_upload(damaged, PDF, LIMIT).content
    with pikepdf.open(io.BytesIO(stored)) as pdf:
        assert len(pdf.pages) == 1 and not pdf.get_warnings()
