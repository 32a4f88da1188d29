"""Encrypt uploads while they arrive, so that only ciphertext ever touches the disk.

Django's multipart parser hands each piece of the request body to
:class:`EncryptingUploadHandler`, which encrypts it into a temporary file. The
resulting :class:`EncryptedUpload` is what ``services.document_create`` stores.
"""

import contextlib
import hashlib
import queue
import threading
import uuid
from typing import BinaryIO

from django.core.files.uploadedfile import TemporaryUploadedFile
from django.core.files.uploadhandler import FileUploadHandler

from backend import crypto

from .file_types import HEAD_BYTES, TAIL_BYTES, detect_content_type

FILE_FIELD = "file"


class EncryptedUpload(TemporaryUploadedFile):
    """An uploaded file already encrypted under its own fresh data key.

    ``content_type`` is what the content turned out to be (None if not accepted), not
    what the client declared; ``too_large`` says the file went past the size limit and
    was not kept.
    """

    def __init__(self, *, original_name: str, header: crypto.BlobHeader, data_key: bytes):
        super().__init__(f"{header.document_id}.jvlt", "application/octet-stream", 0, None)
        self.original_name = original_name
        self.header = header
        self.data_key = data_key
        self.detected_content_type: str | None = None
        self.plaintext_size = 0
        self.sha256 = ""
        self.too_large = False

    @property
    def document_id(self) -> uuid.UUID:
        return self.header.document_id


class _Stage:
    """Applies ``consume`` to each piece in a worker thread, then ``at_end`` after the last.

    AES-GCM, SHA-256 and file writes release the GIL: on two cores, hashing and
    encryption mostly happen while Django's parser works on the next piece of the body.
    The queue is short, so memory stays bounded whatever the file size.
    """

    _FINISH = object()
    _ABORT = object()
    # A request thread that never says it is done (it died, or a bug) does not keep the
    # worker, its queue and the temporary file alive for ever.
    IDLE_TIMEOUT_SECONDS = 300

    def __init__(self, name: str, consume, at_end=None):
        self._consume = consume
        self._at_end = at_end
        self._queue: queue.Queue = queue.Queue(maxsize=4)
        self._error: BaseException | None = None
        self._thread = threading.Thread(target=self._run, name=name, daemon=True)
        self._thread.start()

    def _next(self):
        try:
            return self._queue.get(timeout=self.IDLE_TIMEOUT_SECONDS)
        except queue.Empty:
            return self._ABORT

    def _run(self) -> None:
        piece = None
        try:
            while (piece := self._next()) not in (self._FINISH, self._ABORT):
                self._consume(piece)
            if piece is self._FINISH and self._at_end is not None:
                self._at_end()
        except BaseException as error:  # handed to the request's thread in put()/close()
            self._error = error
            # Keep draining until the end marker, so that the parser never blocks on a
            # full queue; unless the marker was already taken (``at_end`` failed).
            while piece not in (self._FINISH, self._ABORT):
                piece = self._next()

    @property
    def failed(self) -> bool:
        return self._error is not None

    def put(self, piece: bytes) -> None:
        if self._error is not None:
            raise self._error
        self._queue.put(piece)

    def close(self, *, complete: bool) -> None:
        self._queue.put(self._FINISH if complete and self._error is None else self._ABORT)
        self._thread.join(timeout=self.IDLE_TIMEOUT_SECONDS)
        if self._error is not None:
            raise self._error


class EncryptingUploadHandler(FileUploadHandler):
    """Upload handler for the vault: encrypts the ``file`` field as it arrives.

    Memory stays bounded (a few parser pieces and one encryption chunk), whatever the
    file size. Past ``max_size`` bytes, the rest is read and dropped.
    """

    # The parser reads the body in pieces of this size: larger than Django's 64 KiB
    # default, so that the parser's per-piece work does not dominate a large upload.
    chunk_size = 1024 * 1024

    def __init__(
        self,
        *,
        max_size: int,
        chunk_size: int,
        user_key_id: uuid.UUID | None = None,
        user_key_for=None,
        request=None,
    ):
        super().__init__(request)
        self.user_key_id = user_key_id
        # Resolved when the file starts: the body may be read while the request is being
        # authenticated (CSRF check of a browser session), before any view code runs.
        self.user_key_for = user_key_for
        self.max_size = max_size
        self.encryption_chunk_size = chunk_size
        self.upload: EncryptedUpload | None = None
        self._active = False
        self._stages: list[_Stage] = []

    def new_file(self, field_name, file_name, *args, **kwargs):
        super().new_file(field_name, file_name, *args, **kwargs)
        # One document per request: any other file field, or a second "file", is ignored.
        self._active = field_name == FILE_FIELD and self.upload is None
        if self._active and self.user_key_id is None:
            user_key = self.user_key_for(self.request.user)
            self._active = user_key is not None
            self.user_key_id = user_key.id if user_key else None
        if not self._active:
            return
        header = crypto.BlobHeader(
            document_id=uuid.uuid4(),
            user_key_id=self.user_key_id,
            chunk_size=self.encryption_chunk_size,
        )
        data_key = crypto.new_key()
        self.upload = EncryptedUpload(original_name=file_name, header=header, data_key=data_key)
        encryptor = crypto.ChunkEncryptor(data_key, header)
        write = self.upload.write
        write(encryptor.start())

        def seal(piece):
            for part in encryptor.feed(piece):
                write(part)

        def seal_last():
            for part in encryptor.finish():
                write(part)

        self._digest = hashlib.sha256()
        self._stages = [
            _Stage("vault-seal", seal, seal_last),
            _Stage("vault-hash", self._digest.update),
        ]
        self._head = b""
        self._tail = b""

    def receive_data_chunk(self, raw_data, start):
        if not self._active:
            return None
        upload = self.upload
        if upload.too_large:
            return None
        if start + len(raw_data) > self.max_size:
            upload.too_large = True
            upload.plaintext_size = start + len(raw_data)
            return None
        if len(self._head) < HEAD_BYTES:
            self._head += raw_data[: HEAD_BYTES - len(self._head)]
        self._tail = (self._tail + raw_data[-TAIL_BYTES:])[-TAIL_BYTES:]
        try:
            for stage in self._stages:
                stage.put(raw_data)
        except BaseException:
            self.abort()
            raise
        return None

    def file_complete(self, file_size):
        if not self._active:
            return None
        self._active = False
        upload = self.upload
        try:
            self._close_stages(complete=not upload.too_large)
        except BaseException:
            upload.close()
            raise
        if not upload.too_large:
            upload.plaintext_size = file_size
            upload.sha256 = self._digest.hexdigest()
            upload.detected_content_type = detect_content_type(self._head, self._tail)
        upload.flush()
        # What the client sent, as serializers and validators expect of an upload's size.
        upload.size = max(file_size, upload.plaintext_size)
        upload.seek(0)
        return upload

    def upload_interrupted(self):
        # Django's parser stopped mid-file (the client went away).
        self.abort()

    def abort(self) -> None:
        """Stop a file still being received: end the workers, delete its temporary file.

        Harmless once the file is complete, so the view calls it whatever happened: the
        parser does not call the handler back when it fails on a malformed body.
        """
        if not self._active:
            return
        self._active = False
        # The upload is dropped anyway, and its cause answered by the request.
        with contextlib.suppress(Exception):
            self._close_stages(complete=False)
        self.upload.close()

    def _close_stages(self, *, complete: bool) -> None:
        """Close every stage, even after one failed; then raise the first error."""
        stages, self._stages = self._stages, []
        first_error = None
        for stage in stages:
            try:
                stage.close(complete=complete)
            except BaseException as error:
                first_error = first_error or error
        if first_error is not None:
            raise first_error


def encrypt_file(
    source: BinaryIO,
    *,
    file_name: str,
    user_key_id: uuid.UUID,
    max_size: int,
    chunk_size: int = crypto.DEFAULT_CHUNK_SIZE,
    read_size: int = 64 * 1024,
) -> EncryptedUpload:
    """Encrypt a file that did not come through an HTTP upload (demo data, commands)."""
    handler = EncryptingUploadHandler(
        user_key_id=user_key_id, max_size=max_size, chunk_size=chunk_size
    )
    handler.new_file(FILE_FIELD, file_name, "application/octet-stream", None)
    position = 0
    while data := source.read(read_size):
        handler.receive_data_chunk(data, position)
        position += len(data)
    return handler.file_complete(position)
