"""The file shapes of bulk loads and exports, read and written as streams.

Shapes: CSV with a header row of field names (any common delimiter, sniffed from the start of
the file or given; a UTF-8 byte order mark is skipped), JSON lines (one object per line), a JSON
array of objects, and the platform's export shape ``{"records": [...]}``. Reading never holds
more than one row (plus a read buffer) in memory, whatever the file size.

Text is UTF-8 (with or without a byte order mark) unless an ``encoding`` is given (any codec
Python knows whose line ends are single ``\n`` bytes: ``latin-1``, ``cp1252``, ...). Lines are
decoded one by one, so text that is not in the encoding is reported with its line
(``FileShapeError``), suggesting ``--encoding`` when none was given.

A JSON array is split into its elements by the standard library's C decoder over a sliding
buffer (``raw_decode``): ijson would do it, but the version the test tools allow (below 3) has
only its pure-Python parser, measured at ~14k rows/s, slower than the database.
"""

import codecs
import csv
import io
import json
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any, BinaryIO, TextIO

CSV, JSONL, JSON, RECORDS = "csv", "jsonl", "json", "records"
FORMATS = (CSV, JSONL, JSON, RECORDS)
DELIMITERS = ",;\t|"
BOM = b"\xef\xbb\xbf"
_RECORDS_START = re.compile(rb'\s*\{\s*"records"\s*:\s*\[')
_PEEK = 64 * 1024


@dataclass
class SourceRow:
    """One record of a file: where it is (``line`` of a CSV or JSON-lines file, index of a
    JSON array's element), its values by column, or why it could not be read."""

    line: int
    values: dict[str, Any] | None
    error: str | None = None


class FileShapeError(ValueError):
    """The file cannot be read in the shape asked for (or in any shape)."""


def detect_format(head: bytes) -> str:
    """The shape of a file from its first bytes: a JSON array, the export object, JSON lines
    (a line starting with ``{``), else CSV."""
    text = head[len(BOM) :] if head.startswith(BOM) else head
    if _RECORDS_START.match(text):
        return RECORDS
    stripped = text.lstrip()
    if stripped.startswith(b"["):
        return JSON
    if stripped.startswith(b"{"):
        return JSONL
    return CSV


def format_from_name(name: str) -> str | None:
    lowered = name.lower()
    if lowered.endswith((".jsonl", ".ndjson")):
        return JSONL
    if lowered.endswith((".csv", ".tsv")):
        return CSV
    return None


def sniff_delimiter(head: bytes) -> str:
    """The delimiter of a CSV file, sniffed from its first lines; ``,`` when unclear."""
    text = head[len(BOM) :] if head.startswith(BOM) else head
    sample = text[: text.rfind(b"\n") + 1] or text
    try:
        return csv.Sniffer().sniff(sample.decode("utf-8", errors="replace"), delimiters=DELIMITERS).delimiter
    except csv.Error:
        return ","


class RowReader:
    """Iterates the ``SourceRow``s of a binary stream. ``position()`` is how far into the stream
    reading has gone (bytes), for progress against the file size."""

    def __init__(
        self,
        stream: BinaryIO,
        fmt: str | None = None,
        *,
        delimiter: str | None = None,
        encoding: str | None = None,
        rename: Callable[[list[str]], list[str]] | None = None,
    ) -> None:
        if not isinstance(stream, io.BufferedReader):
            stream = io.BufferedReader(stream, buffer_size=_PEEK)  # type: ignore[arg-type]
        self.stream = stream
        head = stream.peek(_PEEK)[:_PEEK]
        self.encoding = _check_encoding(encoding, head)
        self.rename = rename
        self.format = fmt or detect_format(head)
        if self.format not in FORMATS:
            raise FileShapeError(f"Unknown format {self.format!r}; one of {', '.join(FORMATS)}")
        self.delimiter = (delimiter or sniff_delimiter(head)) if self.format == CSV else None
        self.columns: list[str] | None = None

    def position(self) -> int:
        try:
            return self.stream.tell()
        except (OSError, ValueError):
            return 0

    def __iter__(self) -> Iterator[SourceRow]:
        if self.format == CSV:
            return self._csv()
        if self.format == JSONL:
            return self._json_lines()
        return self._json_array(self.format == RECORDS)

    def _text(self) -> TextIO:
        return io.TextIOWrapper(self.stream, encoding=self.encoding or "utf-8-sig", newline="")

    def _lines(self) -> Iterator[str]:
        """The file's lines as text, each with its line end, decoded one by one."""
        encoding = self.encoding or "utf-8"
        for number, raw in enumerate(self.stream, start=1):
            if number == 1 and raw.startswith(BOM) and codecs.lookup(encoding).name == "utf-8":
                raw = raw[len(BOM) :]
            try:
                yield raw.decode(encoding)
            except UnicodeDecodeError as exc:
                raise FileShapeError(_not_text(number, raw, exc, self.encoding)) from None

    def _csv(self) -> Iterator[SourceRow]:
        reader = csv.reader(self._lines(), delimiter=self.delimiter or ",")
        try:
            header = next(reader, None)
            if header is None:
                return
            self.columns = [name.strip() for name in header]
            if self.rename is not None:
                self.columns = self.rename(self.columns)
            width = len(self.columns)
            columns = self.columns
            for cells in reader:
                if not cells:
                    continue
                if len(cells) == width:
                    yield SourceRow(reader.line_num, dict(zip(columns, cells, strict=True)))
                else:
                    given = dict(zip(columns, cells, strict=False))
                    yield SourceRow(reader.line_num, given, f"{len(cells)} values for {width} columns")
        except csv.Error as exc:
            raise FileShapeError(f"line {max(reader.line_num, 1)}: not readable as CSV: {exc}") from None

    def _json_lines(self) -> Iterator[SourceRow]:
        loads = json.loads
        for number, line in enumerate(self._lines(), start=1):
            if not line.strip():
                continue
            try:
                record = loads(line)
            except ValueError as exc:
                yield SourceRow(number, None, f"not valid JSON: {exc}")
                continue
            if isinstance(record, dict):
                yield SourceRow(number, record)
            else:
                yield SourceRow(number, None, "a line must hold one JSON object")

    def _json_array(self, in_records: bool) -> Iterator[SourceRow]:
        """The elements of a top-level array (or of the ``records`` array of the export
        object), decoded one at a time from a buffer refilled as needed."""
        text = self._text()
        decoder = json.JSONDecoder()
        buffer = ""
        at = 0
        eof = False

        def fill() -> bool:
            nonlocal buffer, at, eof
            try:
                chunk = text.read(_PEEK)
            except UnicodeDecodeError as exc:
                hint = _ENCODING_HINT if self.encoding is None else ""
                what = self.encoding or "UTF-8"
                raise FileShapeError(
                    f"after element {index} of the JSON array: not {what} text ({exc.reason}).{hint}"
                ) from None
            if not chunk:
                eof = True
                return False
            buffer = buffer[at:] + chunk
            at = 0
            return True

        def skip_space() -> str:
            nonlocal at
            while True:
                while at < len(buffer) and buffer[at] in " \t\r\n":
                    at += 1
                if at < len(buffer):
                    return buffer[at]
                if not fill():
                    return ""

        def expect(token: str) -> None:
            nonlocal at
            found = skip_space()
            if found != token:
                raise FileShapeError(f"expected {token!r} in the JSON document, found {found or 'the end'!r}")
            at += 1

        if in_records:  # '{"records": [' was matched on the first bytes: go to its '['
            while skip_space() != "[":
                at += 1
                if eof:
                    raise FileShapeError('the JSON document has no "records" array')
        index = 0
        expect("[")
        while True:
            found = skip_space()
            if found == "]":
                at += 1
                break
            if index and found == ",":
                at += 1
                skip_space()
            elif index:
                raise FileShapeError(f"expected ',' after element {index} of the JSON array")
            while True:
                try:
                    value, end = decoder.raw_decode(buffer, at)
                except json.JSONDecodeError as exc:
                    if not eof and fill():
                        continue
                    raise FileShapeError(f"element {index + 1} of the JSON array is not valid JSON: {exc}") from None
                if end == len(buffer) and not eof and isinstance(value, (int, float)):
                    fill()  # a number may go on in the next chunk
                    continue
                break
            at = end
            index += 1
            if isinstance(value, dict):
                yield SourceRow(index, value)
            else:
                yield SourceRow(index, None, "an element must be one JSON object")


_ENCODING_HINT = " Give the file's encoding with --encoding (for example --encoding cp1252 or --encoding latin-1)."


def _check_encoding(encoding: str | None, head: bytes) -> str | None:
    """The codec to read with (``None``: UTF-8, a byte order mark skipped), or a clear refusal."""
    if head.startswith(b"PK\x03\x04"):
        raise FileShapeError("line 1: this is a zip file (an Excel workbook?), not text; save it as CSV UTF-8")
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)) and encoding is None:
        raise FileShapeError("line 1: the file is UTF-16 text; save it as UTF-8 (Excel: CSV UTF-8) or load it as such")
    if encoding is None:
        return None
    try:
        codec = codecs.lookup(encoding)
    except LookupError:
        raise FileShapeError(f"Unknown encoding {encoding!r} (for example utf-8, cp1252, latin-1)") from None
    if codec.name == "utf-8-sig":
        return "utf-8"  # a byte order mark is skipped anyway
    if "\n".encode(codec.name) != b"\n":
        raise FileShapeError(f"Encoding {encoding!r} is not read: convert the file to UTF-8")
    return codec.name


def _not_text(number: int, raw: bytes, exc: UnicodeDecodeError, encoding: str | None) -> str:
    column = len(raw[: exc.start].decode(encoding or "utf-8", errors="replace")) + 1
    what = f"byte 0x{raw[exc.start]:02x} at column {column}"
    if encoding is None:
        return f"line {number}: not UTF-8 text ({what}).{_ENCODING_HINT}"
    return f"line {number}: not {encoding} text ({what})"


# --- writing -----------------------------------------------------------------------------------


class RowWriter:
    """Writes rows (dicts with the given columns) in one of the shapes, streamed."""

    def __init__(self, out: TextIO, fmt: str, columns: list[str], *, delimiter: str = ",") -> None:
        self.out = out
        self.format = fmt
        self.columns = columns
        self.count = 0
        if fmt == CSV:
            self._csv = csv.writer(out, delimiter=delimiter, lineterminator="\n")
            self._csv.writerow(columns)
        elif fmt == JSON:
            out.write("[")
        elif fmt == RECORDS:
            out.write('{"records": [')
        elif fmt != JSONL:
            raise FileShapeError(f"Unknown format {fmt!r}")

    def write_values(self, values: list[Any]) -> None:
        """One row as values in column order (text, or anything JSON can hold)."""
        if self.format == CSV:
            self._csv.writerow(values)
        else:
            self.write(dict(zip(self.columns, values, strict=True)))
        self.count += 1

    def write(self, row: dict[str, Any]) -> None:
        if self.format == CSV:
            self._csv.writerow(["" if row.get(name) is None else _cell(row.get(name)) for name in self.columns])
            self.count += 1
            return
        text = json.dumps(row, ensure_ascii=False)
        if self.format == JSONL:
            self.out.write(text)
            self.out.write("\n")
        else:
            self.out.write(("\n" if not self.count else ",\n") + text)
        self.count += 1

    def close(self) -> None:
        if self.format == JSON:
            self.out.write("\n]\n")
        elif self.format == RECORDS:
            self.out.write("\n]}\n")


def _cell(value: Any) -> str:
    if isinstance(value, (dict, list)):
        return json.dumps(value, ensure_ascii=False)
    return str(value)
