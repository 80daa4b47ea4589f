"""The bank as a ZIP: the `storybank/1` document plus the files its sections list.

An "export with recordings" is a ZIP holding `storybank.json` (the same
document as the JSON export) and one member per file a section lists (practice
lists each recording's audio as `recordings/<uuid>.<ext>`). Reading one is
defensive, since an upload may be anything: every limit is checked from the
ZIP's directory before a byte is decompressed (member count, total size, each
member's size, names that could escape a folder), and each member is read
with its size counted, so a member that inflates past what it declares is
refused too. No database here.
"""

import io
import re
import struct
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass
from typing import IO

from stories.transfer.document import MAX_DOCUMENT_BYTES, document_load, size_text
from stories.transfer.fields import DocumentError

ARCHIVE_DOCUMENT = "storybank.json"
# Bytes a ZIP starts with: a local file header, or the end record of an empty ZIP.
ARCHIVE_MAGIC = (b"PK\x03\x04", b"PK\x05\x06")
# An upload and everything it holds once unpacked: about 60 recordings at their
# largest (practice caps each at 30 MB), far more at a usual 2-3 MB each.
ARCHIVE_MAX_BYTES = 2 * 1024 * 1024 * 1024
ARCHIVE_MAX_MEMBERS = 5_001
# Member names as exports write them: a folder and a file, both plain.
MEMBER_NAME = re.compile(r"[a-z0-9_-]{1,40}/[A-Za-z0-9_-]{1,80}(\.[a-z0-9]{1,8})?")
COPY_CHUNK = 1024 * 1024

NOT_AN_EXPORT = (
    f"This ZIP is not a Story Bank export with recordings: it has no {ARCHIVE_DOCUMENT}."
)


def is_archive(head: bytes) -> bool:
    """Whether an upload's first bytes are a ZIP's, whatever its file name says."""
    return head[:4] in ARCHIVE_MAGIC


@dataclass(frozen=True)
class ExpectedFile:
    """A file a section's part of the document says the archive holds."""

    name: str
    max_bytes: int
    # How the document names it, for a problem: "Practice session 2, answer 1".
    where: str


class BankArchive:
    """An uploaded ZIP whose directory passed the checks, with its document loaded.

    `member(name)` opens one member for reading, counting its bytes against
    what the directory declared. Close it (or use it as a context manager).
    """

    def __init__(self, source: IO[bytes]):
        try:
            self.zip = zipfile.ZipFile(source)
        except (
            zipfile.BadZipFile,
            zipfile.LargeZipFile,
            OSError,
            EOFError,
            ValueError,
            struct.error,
        ):
            raise DocumentError([not_readable()]) from None
        try:
            self.members = self.directory_checked()
            self.document = self.document_read()
        except BaseException:
            self.zip.close()
            raise

    def __enter__(self) -> "BankArchive":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def close(self) -> None:
        self.zip.close()

    def directory_checked(self) -> dict[str, zipfile.ZipInfo]:
        infos = [info for info in self.zip.infolist() if not info.is_dir()]
        if len(infos) > ARCHIVE_MAX_MEMBERS:
            raise DocumentError(
                [
                    f"The ZIP holds {len(infos):,} files; an export holds at most "
                    f"{ARCHIVE_MAX_MEMBERS:,}."
                ]
            )
        total = sum(info.file_size for info in infos)
        if total > ARCHIVE_MAX_BYTES:
            raise DocumentError(
                [
                    f"The ZIP unpacks to {size_text(total)}; an import can unpack to at most "
                    f"{size_text(ARCHIVE_MAX_BYTES)}."
                ]
            )
        # Someone else's ZIP is told so in one sentence, not file by file.
        if not any(info.filename == ARCHIVE_DOCUMENT for info in infos):
            raise DocumentError([NOT_AN_EXPORT])
        members: dict[str, zipfile.ZipInfo] = {}
        problems = []
        for info in infos:
            name = info.filename
            if name != ARCHIVE_DOCUMENT and not MEMBER_NAME.fullmatch(name):
                problems.append(
                    f"The ZIP holds a file named “{name[:80]}”; an export names its files "
                    f"{ARCHIVE_DOCUMENT} and folder/file (no absolute paths, no “..”)."
                )
            elif name in members:
                problems.append(f"The ZIP holds {name} twice.")
            elif info.flag_bits & 0x1:
                problems.append(f"{name} in the ZIP is encrypted; an export never is.")
            members[name] = info
        if problems:
            raise DocumentError(problems)
        return members

    def document_read(self) -> dict:
        info = self.members[ARCHIVE_DOCUMENT]
        if info.file_size > MAX_DOCUMENT_BYTES:
            raise DocumentError(
                [
                    f"{ARCHIVE_DOCUMENT} in the ZIP is {size_text(info.file_size)}; it can be at "
                    f"most {MAX_DOCUMENT_BYTES // (1024 * 1024)} MB."
                ]
            )
        with self.member(ARCHIVE_DOCUMENT) as stream:
            raw = stream.read_all()
        return document_load(raw)

    def member(self, name: str) -> "MemberReader":
        return MemberReader(self.zip, self.members[name])

    def problems(self, expected: Iterable[ExpectedFile]) -> list[str]:
        """Each file the document lists that is missing or too big, and each member nobody
        lists (it would be lost, or is not part of an export at all, like a nested ZIP)."""
        problems = []
        listed = {ARCHIVE_DOCUMENT}
        for file in expected:
            listed.add(file.name)
            info = self.members.get(file.name)
            if info is None:
                problems.append(f"{file.where}: the ZIP lacks its file {file.name}.")
            elif info.file_size > file.max_bytes:
                problems.append(
                    f"{file.where}: {file.name} is {info.file_size:,} bytes, over the limit "
                    f"of {size_text(file.max_bytes)}."
                )
        for name in sorted(set(self.members) - listed):
            problems.append(
                f"The ZIP holds {name}, which the document does not list; importing it "
                "here would lose it."
            )
        return problems


class MemberReader:
    """One member, read in chunks; more bytes than declared, or a bad CRC, is a DocumentError."""

    def __init__(self, archive: zipfile.ZipFile, info: zipfile.ZipInfo):
        self.info = info
        self.name = info.filename
        self.size = info.file_size
        self.read_so_far = 0
        try:
            self.stream = archive.open(info)
        except (zipfile.BadZipFile, NotImplementedError, OSError, EOFError, ValueError):
            raise DocumentError([damaged(info.filename)]) from None

    def __enter__(self) -> "MemberReader":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def close(self) -> None:
        self.stream.close()

    def read(self, size: int = -1) -> bytes:
        if size is None or size < 0:
            return self.read_all()
        try:
            data = self.stream.read(min(size, COPY_CHUNK))
        except (zipfile.BadZipFile, OSError, EOFError, ValueError, RuntimeError) as error:
            raise DocumentError([damaged(self.name)]) from error
        self.read_so_far += len(data)
        if self.read_so_far > self.size:
            raise DocumentError([damaged(self.name)])
        return data

    def read_all(self) -> bytes:
        parts = []
        while chunk := self.read(COPY_CHUNK):
            parts.append(chunk)
        return b"".join(parts)

    def chunks(self, chunk_size: int = COPY_CHUNK):
        while chunk := self.read(chunk_size):
            yield chunk

    def seek(self, offset: int, whence: int = 0) -> int:
        # Storages rewind a file before saving it; a fresh member is already at its start.
        if offset == 0 and whence == 0 and self.read_so_far == 0:
            return 0
        raise io.UnsupportedOperation("A ZIP member is read once, from its start.")

    def tell(self) -> int:
        return self.read_so_far


def not_readable() -> str:
    return (
        "The file starts like a ZIP but cannot be read as one (it may be cut short or "
        "damaged): download the export again."
    )


def damaged(name: str) -> str:
    return f"{name} in the ZIP is damaged (it does not unpack to what the ZIP says it holds)."


def archive_write(
    target: IO[bytes], *, document_text: str, files: Iterable[tuple[str, IO[bytes]]]
) -> None:
    """Write an export ZIP into `target`: the document, then each (name, open file) in chunks.

    Audio is already compressed, so it is stored as it is; the document is deflated.
    """
    with zipfile.ZipFile(target, "w", allowZip64=True) as archive:
        archive.writestr(ARCHIVE_DOCUMENT, document_text, compress_type=zipfile.ZIP_DEFLATED)
        for name, source in files:
            with source, archive.open(name, "w", force_zip64=True) as member:
                while chunk := source.read(COPY_CHUNK):
                    member.write(chunk)
