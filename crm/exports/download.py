"""The answer of every export: a CSV text or an XLSX file, sent as an attachment.

An XLSX comes as a finished file (crm.exports.writer.xlsx_file): every row was read inside the view, so
the read trail of confidential rows is written with the request, and only the file's bytes are streamed
afterwards, in chunks, so a large workbook never sits whole in the response.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import IO

from flask import Response

FORMATS = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
CHUNK = 64 * 1024


def attachment(body: str | IO[bytes], filename: str, fmt: str) -> Response:
    """Answer the export as a download named filename: a text as it is, a file streamed and then closed."""
    headers = {"Content-Disposition": f'attachment; filename="{filename}"'}
    if isinstance(body, str):
        return Response(body, mimetype=FORMATS[fmt], headers=headers)
    size = body.seek(0, os.SEEK_END)
    body.seek(0)
    response = Response(chunks(body), mimetype=FORMATS[fmt], headers=headers, direct_passthrough=True)
    response.content_length = size
    response.call_on_close(body.close)  # also when the client goes away before the last chunk
    return response


def chunks(body: IO[bytes]) -> Iterator[bytes]:
    """Yield the file's bytes a chunk at a time, closing it at the end."""
    with body:
        while data := body.read(CHUNK):
            yield data
