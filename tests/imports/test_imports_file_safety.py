"""Hostile files: XLSX decompression bombs, zips that lie about sizes, control characters and NUL bytes."""

from __future__ import annotations

import csv
import io
import resource
import struct
import tracemalloc
import zipfile
import zlib

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from imports_support import text
from openpyxl import Workbook
from sqlalchemy import select

from crm.extensions import db
from crm.imports.reading import ImportFileError, data_rows, inspect_file
from crm.models import ImportBatch, Organisation

MB = 1024 * 1024
SHARED = "xl/sharedStrings.xml"
ENTRY = b"<si><t>Texto repetido pegado desde PowerPoint</t></si>"
CONTROLS = "".join(chr(c) for c in range(32) if chr(c) not in "\t\n\r")


def small_workbook() -> bytes:
    """Return a real one-sheet workbook with text cells (so it has a shared-strings part)."""
    book = Workbook()
    book.active.append(["Razón social", "Notas"])
    book.active.append(["Fundición Uno SAC", "texto"])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def bomb(uncompressed_mb: int = 300) -> bytes:
    """Return the workbook with its shared strings swapped for MBs of repeated text, deflated."""
    source = zipfile.ZipFile(io.BytesIO(small_workbook()))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as target:
        for info in source.infolist():
            target.writestr(info, registered(info.filename, source.read(info)))
        count = uncompressed_mb * MB // len(ENTRY)
        with target.open(SHARED, "w") as part:
            part.write(b'<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">')
            block = ENTRY * 20_000
            for _ in range(count // 20_000):
                part.write(block)
            part.write(b"</sst>")
    return out.getvalue()


def registered(name: str, data: bytes, part: str = SHARED) -> bytes:
    """Declare a shared-strings part in the content types and the workbook's relationships."""
    if name == "[Content_Types].xml":
        kind = "application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"
        override = f'<Override PartName="/{part}" ContentType="{kind}"/>'
        return data.replace(b"</Types>", override.encode() + b"</Types>")
    if name == "xl/_rels/workbook.xml.rels":
        kind = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings"
        link = f'<Relationship Type="{kind}" Target="/{part}" Id="rId9"/>'
        return data.replace(b"</Relationships>", link.encode() + b"</Relationships>")
    return data


def many_strings(part: str, megabytes: float) -> bytes:
    """Return a workbook whose shared strings (in any part) are distinct short texts: no bomb ratio."""
    source = zipfile.ZipFile(io.BytesIO(small_workbook()))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            target.writestr(info, registered(info.filename, source.read(info), part))
        entries = b"".join(b"<si><t>%d</t></si>" % n for n in range(int(megabytes * MB) // 23))
        target.writestr(part, b'<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
                        + entries + b"</sst>")  # fmt: skip
    return out.getvalue()


def lying(content: bytes, declared: int = 4096) -> bytes:
    """Rewrite the shared-strings size in both zip headers to a small number (CRC of what is declared)."""
    data = bytearray(content)
    archive = zipfile.ZipFile(io.BytesIO(content))
    info = archive.getinfo(SHARED)
    crc = zlib.crc32(archive.open(SHARED).read(declared))
    struct.pack_into("<I", data, info.header_offset + 14, crc)  # local header: CRC, then sizes
    struct.pack_into("<I", data, info.header_offset + 22, declared)
    central = data.find(b"PK\x01\x02")
    while central != -1:
        name_length = struct.unpack_from("<H", data, central + 28)[0]
        if bytes(data[central + 46 : central + 46 + name_length]) == SHARED.encode():
            struct.pack_into("<I", data, central + 16, crc)
            struct.pack_into("<I", data, central + 24, declared)
            return bytes(data)
        central = data.find(b"PK\x01\x02", central + 4)
    raise AssertionError("no central directory entry")


def upload_measured(upload, content: bytes):
    """Upload a file through the real view; return the response, the traced peak and the RSS growth."""
    rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    tracemalloc.start()
    try:
        response = upload(content, filename="empresas.xlsx")
        _current, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    rss_growth = (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - rss_before) * 1024
    print(f"{len(content)} bytes: traced peak {peak / MB:.1f} MB, RSS growth {rss_growth / MB:.1f} MB")
    return response, peak, rss_growth


def test_a_shared_strings_bomb_is_refused_before_it_is_opened(make_user, login, upload):
    login(make_user("staff"))
    content = bomb(300)
    assert len(content) < MB
    response, peak, rss_growth = upload_measured(upload, content)
    assert response.status_code == 400
    assert "se descomprime en más de 100 MB" in text(response)
    assert peak < 50 * MB and rss_growth < 50 * MB
    assert db.session.scalar(select(ImportBatch.id)) is None


def test_a_part_that_compresses_too_well_is_refused_even_under_the_size_limit(app, make_user, login, upload):
    login(make_user("staff"))
    app.config["IMPORT_XLSX_MAX_UNCOMPRESSED_MB"] = 500
    try:
        response, peak, _rss = upload_measured(upload, bomb(30))
    finally:
        app.config["IMPORT_XLSX_MAX_UNCOMPRESSED_MB"] = 100
    assert response.status_code == 400
    assert "se comprime de forma anómala" in text(response)
    assert peak < 50 * MB


def test_shared_strings_beyond_what_memory_allows_are_refused_whatever_the_part_is_called(
    make_user, login, upload
):
    login(make_user("staff"))
    for part in (SHARED, "xl/cadenas.xml"):
        content = many_strings(part, 20)
        assert 20 * MB / len(content) < 100  # not a bomb by its ratio
        response, peak, _rss = upload_measured(upload, content)
        assert response.status_code == 400, part
        assert "contiene más de 6 MB de texto" in text(response)
        assert peak < 50 * MB


def test_a_zip_that_lies_about_its_sizes_is_refused(make_user, login, upload):
    login(make_user("staff"))
    response, peak, _rss = upload_measured(upload, lying(bomb(300)))
    assert response.status_code == 400
    assert "declara un tamaño menor que el real" in text(response)
    assert peak < 50 * MB


def test_an_ordinary_workbook_still_reads(tmp_path):
    path = tmp_path / "book.xlsx"
    path.write_bytes(small_workbook())
    assert [cells for _n, cells in data_rows(path)] == [["Fundición Uno SAC", "texto"]]


# --- control characters and NUL bytes -------------------------------------------------------------------


def test_a_nul_byte_far_into_a_csv_refuses_the_whole_file(tmp_path, make_user, login, upload):
    body = "Razón social;Notas\n" + "".join(f"Empresa {n} SAC;nota\n" for n in range(5000))
    content = body.encode() + b"Mala SAC;con\x00nul\n"
    assert len(content) > 64 * 1024
    path = tmp_path / "nul.csv"
    path.write_bytes(content)
    try:
        inspect_file(path, 100_000)
        raise AssertionError("a NUL byte was accepted")
    except ImportFileError as exc:
        assert "no es un archivo de texto" in str(exc)
    login(make_user("staff"))
    response = upload(content)
    assert response.status_code == 400 and "no es un archivo de texto" in text(response)
    utf16 = tmp_path / "nul16.csv"
    utf16.write_bytes(("Razón social\n" + "Uno\n" * 20_000 + "Do\x00s\n").encode("utf-16"))
    try:
        inspect_file(utf16, 100_000)
        raise AssertionError("a NUL character was accepted")
    except ImportFileError as exc:
        assert "no es un archivo de texto" in str(exc)


def test_control_characters_in_cells_are_removed_on_reading(tmp_path):
    path = tmp_path / "pasted.csv"
    path.write_bytes("Razón social;Notas\nUna\x0bEmpresa SAC;línea\x0cnueva\x01\tfin\n".encode())
    assert [cells for _n, cells in data_rows(path)] == [["UnaEmpresa SAC", "línea" + "nueva\tfin"]]


cell_text = st.text(
    alphabet=st.sampled_from(list(CONTROLS + "\t\n\r") + list('abcñÁé =+-@;," ')), min_size=1, max_size=30
)


def clean(value: str) -> str:
    """Return what the import should store for a cell: controls removed, then trimmed."""
    return value.translate({ord(c): None for c in CONTROLS}).strip()


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(cells=st.lists(st.tuples(cell_text, cell_text), min_size=1, max_size=4))
@example(cells=[("\x0bdiapositiva\x0c", "\x01\x02"), ("texto\x1fcon\x7fcosas", "\x00nul\x00")])
def test_imported_cells_never_store_control_characters(staff, imported, cells):
    db.session.execute(Organisation.__table__.delete())
    db.session.commit()
    # Text around the generated cells keeps every cell non-blank: blank notes are another issue's subject.
    rows = [(f"Empresa {i} {name} SAC", f"{notes} fin") for i, (name, notes) in enumerate(cells)]
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\n", quoting=csv.QUOTE_ALL)
    writer.writerow(["Razón social", "Notas"])
    writer.writerows(rows)
    content = buffer.getvalue().replace("\x00", "")  # NUL bytes refuse the whole file (tested above)
    batch = imported(content, skip_errors=True)
    assert batch.status == "done", batch.error
    stored = db.session.execute(select(Organisation.legal_name, Organisation.notes).order_by(Organisation.id))
    expected = [(clean(n.replace("\x00", "")), clean(o.replace("\x00", ""))) for n, o in rows]
    assert [tuple(row) for row in stored] == expected


# --- the imports CLI speaks Spanish ---------------------------------------------------------------------


def test_the_import_cli_prints_every_message_in_spanish(app, tmp_path):
    path = tmp_path / "empresas.csv"
    path.write_text("Razón social;RUC\nUna SAC;\nMala SAC;20100047219\n", encoding="utf-8")
    result = app.test_cli_runner().invoke(args=["crm", "import", "organisations", str(path), "--dry-run"])
    assert result.exit_code == 1, result.output
    counts = "Filas: 2; nuevas: 1; por actualizar: 0; sin cambios: 0; con errores: 1 (errores: 1);"
    assert counts in result.output
    assert "fila 3, RUC: El último dígito" in result.output and "row 3" not in result.output
    assert "El archivo tiene errores: no se escribió nada." in result.output
