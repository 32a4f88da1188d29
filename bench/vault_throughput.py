"""Vault throughput: upload+encrypt and download+decrypt against plain storage, same run.

Every request goes through the WSGI application in this process (URL, middleware,
allauth session token, DRF view, Django's real multipart parser) with ``wsgi.input`` an
open file holding a multipart body written once to disk, so nothing of the file is held
in memory by the benchmark itself. For 1, 10 and 50 MB PDF files (1 MB = 2**20 bytes):

- encrypted: ``POST /api/v1/vault/documents/`` (encrypted while the body is parsed) and
  ``GET /api/v1/vault/documents/{id}/content/`` (verified, then decrypted and streamed);
- unencrypted baseline: the same upload minus the encryption. A DRF view with the same
  authentication and permission takes the file through Django's default upload handlers
  and hands it, as it came, to the vault's own ``document_create`` (same checks, journal,
  rows and log, same storage); a view streams the stored file back in chunks of the
  same size;
- raw AES-GCM: ``cryptography``'s AESGCM over the same bytes in ``VAULT_CHUNK_SIZE``
  chunks, in memory, no I/O; and raw SHA-256, which the vault also computes on the way.

Prints MB/s (best of a few runs), the ratios encrypted/unencrypted (median of the ratios
of runs made one after the other, vault then plain), and the upload ratio
the vault would get if raw AES-GCM and SHA-256 ran one after the other in the request's
thread (the vault runs them in worker threads, overlapping the parsing of the body).
Then the growth of the process's peak RSS (``VmHWM``, reset through
``/proc/self/clear_refs``) and tracemalloc's peak during one upload and one download of
a 100 MB file, encrypted and not, next to a calibration (the body read into memory).

Targets: encrypted upload >= 0.7 of the unencrypted one; peak memory growth < 64 MB for
a 100 MB file. Figures are reported, not asserted: the exit status is 0 either way.
It runs on a throw-away SQLite database and vault under a temporary directory (removed
at the end), whatever DATABASE_URL or VAULT_* say. Run:

    .venv/bin/python bench/vault_throughput.py
"""

import gc
import hashlib
import io
import json
import os
import shutil
import statistics
import sys
import tempfile
import time
import tracemalloc
import uuid
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "backend.settings")
# An isolated embedded default: SQLite, keyring, file cache and vault in a temporary
# directory (where the bench's own files go too), whatever the environment says.
os.environ["VAR_DIR"] = tempfile.mkdtemp(prefix="jalon-bench-vault-")
os.environ.pop("DATABASE_URL", None)
os.environ.pop("REDIS_URL", None)
os.environ.pop("VAULT_S3_BUCKET", None)
os.environ.pop("VAULT_STORAGE_ROOT", None)
os.environ.pop("VAULT_KEYRING", None)
os.environ.pop("VAULT_KEYRING_FILE", None)
os.environ.pop("MEDIA_ROOT", None)
os.environ["VAULT_MAX_FILE_MB"] = "128"  # room for the 100 MB file
os.environ["VAULT_QUOTA_MB"] = "100000"
os.environ["API_THROTTLE_ANON"] = "100000000/minute"
os.environ["API_THROTTLE_USER"] = "100000000/minute"
os.environ["API_THROTTLE_VAULT_UPLOAD"] = "100000000/hour"

import django

django.setup()

from cryptography.hazmat.primitives.ciphers.aead import AESGCM  # noqa: E402
from django.conf import settings  # noqa: E402
from django.core.files.storage import storages  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.http import StreamingHttpResponse  # noqa: E402
from django.test import override_settings  # noqa: E402
from django.urls import include, path  # noqa: E402
from rest_framework import status  # noqa: E402
from rest_framework.parsers import MultiPartParser  # noqa: E402
from rest_framework.response import Response  # noqa: E402
from rest_framework.views import APIView  # noqa: E402

from accounts.permissions import IsYoungPerson  # noqa: E402
from accounts.roles import Role  # noqa: E402
from accounts.services import user_create  # noqa: E402
from backend import crypto  # noqa: E402
from backend.wsgi import application  # noqa: E402
from vault import keys, services  # noqa: E402
from vault.models import Document  # noqa: E402

WORK_DIR = Path(os.environ["VAR_DIR"])
MB = 1024 * 1024
SIZES_MB = [1, 10, 50]
REPEATS = {1: 9, 10: 9, 50: 5}
MEMORY_MB = 100
UPLOAD_TARGET = 0.7
MEMORY_TARGET_MB = 64
EMAIL = "bench.vault@example.org"
PASSWORD = "bench-horse-battery-" + uuid.uuid4().hex[:8]
DOCUMENTS = "/api/v1/vault/documents/"
PLAIN = "/bench/plain/"
PDF_HEAD = b"%PDF-1.7\n"
PDF_TAIL = b"\n%%EOF\n"
PLAIN_DIR = "bench-plain"


# --- The unencrypted baseline: same auth and permission, same storage, nothing else ----


def _read_chunks(blob, size: int):
    with blob:
        while chunk := blob.read(size):
            yield chunk


class PlainUploadView(APIView):
    """The same upload as the vault's, minus the encryption.

    Django's default upload handlers (the file lands in a temporary file as it came),
    then the vault's own ``document_create``: the same quota checks, journal, rows and
    log, and the file moved into the same storage, unencrypted.
    """

    permission_classes = [IsYoungPerson]
    parser_classes = [MultiPartParser]

    def post(self, request):
        upload = request.data["file"]
        user_key = keys.user_key_ensure(request.user)
        upload.header = crypto.BlobHeader(document_id=uuid.uuid4(), user_key_id=user_key.id)
        upload.document_id = upload.header.document_id
        upload.data_key = crypto.new_key()
        upload.original_name = upload.name
        upload.detected_content_type = "application/pdf"
        upload.plaintext_size = upload.size
        upload.sha256 = ""
        upload.too_large = False
        document = services.document_create(
            owner=request.user, upload=upload, document_type="other", title=upload.name
        )
        return Response({"id": str(document.pk), "size": upload.size}, status.HTTP_201_CREATED)


class PlainContentView(APIView):
    permission_classes = [IsYoungPerson]

    def get(self, request, name: str):
        document = Document.objects.get(pk=name, owner=request.user)
        storage = storages["vault"]
        pieces = _read_chunks(storage.open(document.blob_name, "rb"), settings.VAULT_CHUNK_SIZE)
        response = StreamingHttpResponse(pieces, content_type="application/pdf")
        response["Content-Length"] = str(document.size)
        response["Cache-Control"] = "no-store"
        return response


urlpatterns = [
    path("bench/plain/", PlainUploadView.as_view()),
    path("bench/plain/<str:name>/content/", PlainContentView.as_view()),
    path("", include("backend.urls")),
]


# --- Files on disk: the payload and its multipart body ---------------------------------


@dataclass
class Body:
    """A multipart/form-data request body on disk, holding one PDF of ``size`` bytes."""

    path: Path
    length: int
    content_type: str
    size: int
    sha256: str


def make_payload(target: Path, size: int) -> str:
    """Write a ``size``-byte PDF (random body) in pieces; return its SHA-256."""
    digest = hashlib.sha256()
    remaining = size - len(PDF_HEAD) - len(PDF_TAIL)
    with target.open("wb") as out:
        for piece in (PDF_HEAD, None, PDF_TAIL):
            if piece is not None:
                out.write(piece)
                digest.update(piece)
                continue
            while remaining:
                part = os.urandom(min(remaining, MB))
                out.write(part)
                digest.update(part)
                remaining -= len(part)
    return digest.hexdigest()


def make_body(size_mb: int) -> Body:
    """The payload file, then a multipart body built from it by streaming."""
    size = size_mb * MB
    payload = WORK_DIR / f"payload-{size_mb}mb.pdf"
    sha256 = make_payload(payload, size)
    boundary = f"----jalonbench{uuid.uuid4().hex}"
    head = (
        f"--{boundary}\r\n"
        'Content-Disposition: form-data; name="document_type"\r\n\r\n'
        "other\r\n"
        f"--{boundary}\r\n"
        f'Content-Disposition: form-data; name="file"; filename="bench-{size_mb}mb.pdf"\r\n'
        "Content-Type: application/pdf\r\n\r\n"
    ).encode()
    tail = f"\r\n--{boundary}--\r\n".encode()
    target = WORK_DIR / f"body-{size_mb}mb.multipart"
    with target.open("wb") as out, payload.open("rb") as source:
        out.write(head)
        shutil.copyfileobj(source, out, MB)
        out.write(tail)
    payload.unlink()
    return Body(
        path=target,
        length=target.stat().st_size,
        content_type=f"multipart/form-data; boundary={boundary}",
        size=size,
        sha256=sha256,
    )


# --- Requests through the WSGI application ----------------------------------------------


def wsgi_request(method, url, *, stream=None, length=0, content_type="", token="", sink=None):
    """Call the WSGI application; return (status, body kept, bytes received).

    ``sink=None`` keeps the (small) body; ``sink=False`` drops each chunk as it comes,
    a hash object is fed with them. An error's body is always kept, to be shown.
    """
    environ = {
        "REQUEST_METHOD": method,
        "SCRIPT_NAME": "",
        "PATH_INFO": url,
        "QUERY_STRING": "",
        "SERVER_NAME": "testserver",
        "SERVER_PORT": "80",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "HTTP_HOST": "testserver",
        "REMOTE_ADDR": "127.0.0.1",
        "CONTENT_LENGTH": str(length),
        "CONTENT_TYPE": content_type,
        "wsgi.version": (1, 0),
        "wsgi.url_scheme": "http",
        "wsgi.input": stream if stream is not None else io.BytesIO(b""),
        "wsgi.errors": sys.stderr,
        "wsgi.multithread": False,
        "wsgi.multiprocess": False,
        "wsgi.run_once": False,
    }
    if token:
        environ["HTTP_X_SESSION_TOKEN"] = token
    answer = {}

    def start_response(status_line, headers, exc_info=None):
        answer["status"] = int(status_line.split(" ", 1)[0])
        return lambda data: None

    result = application(environ, start_response)
    kept = []
    received = 0
    keep = sink is None or answer["status"] >= 400
    try:
        for chunk in result:
            received += len(chunk)
            if keep:
                kept.append(chunk)
            elif sink is not False:
                sink.update(chunk)
    finally:
        result.close()
    return answer["status"], b"".join(kept), received


def login() -> str:
    payload = json.dumps({"email": EMAIL, "password": PASSWORD}).encode()
    code, content, _ = wsgi_request(
        "POST",
        "/_allauth/app/v1/auth/login",
        stream=io.BytesIO(payload),
        length=len(payload),
        content_type="application/json",
    )
    if code != 200:
        raise RuntimeError(f"login answered {code}: {content[:300]!r}")
    return json.loads(content)["meta"]["session_token"]


def upload(url: str, body: Body, token: str) -> dict:
    with body.path.open("rb") as stream:
        code, content, _ = wsgi_request(
            "POST",
            url,
            stream=stream,
            length=body.length,
            content_type=body.content_type,
            token=token,
        )
    if code != 201:
        raise RuntimeError(f"POST {url} answered {code}: {content[:300]!r}")
    return json.loads(content)


def download(url: str, token: str, sink=False) -> int:
    code, content, received = wsgi_request("GET", url, token=token, sink=sink)
    if code != 200:
        raise RuntimeError(f"GET {url} answered {code}: {content[:300]!r}")
    return received


def content_url(kind: str, handle: str) -> str:
    return f"{DOCUMENTS}{handle}/content/" if kind == "vault" else f"{PLAIN}{handle}/content/"


def do_upload(kind: str, body: Body, token: str) -> str:
    """Upload ``body`` the ``kind`` way ("vault" or "plain"); return its handle."""
    answer = upload(DOCUMENTS if kind == "vault" else PLAIN, body, token)
    if kind == "vault" and (answer["size"] != body.size or answer["sha256"] != body.sha256):
        raise RuntimeError(f"the vault recorded {answer['size']} bytes, {answer['sha256']}")
    return answer["id"]


def discard(kind: str, handle: str) -> None:
    services.document_delete(document=Document.objects.get(pk=handle))


# --- Measures -----------------------------------------------------------------------------


def timed(action):
    gc.collect()
    start = time.perf_counter()
    result = action()
    return time.perf_counter() - start, result


def raw_crypto(body: Body, repeats: int) -> tuple[float, float, float]:
    """Best seconds for raw AES-GCM encryption, decryption, and SHA-256, in memory.

    AES-GCM works on ``VAULT_CHUNK_SIZE`` chunks (the vault's) with associated data as
    long as the vault's; SHA-256 on 64 KiB pieces (what the multipart parser hands the
    upload handler). Outputs are dropped as they come, as a stream would.
    """
    with body.path.open("rb") as stream:
        raw = stream.read()
    start = raw.index(PDF_HEAD)
    data = memoryview(raw)[start : start + body.size]
    chunk = settings.VAULT_CHUNK_SIZE
    aead = AESGCM(AESGCM.generate_key(bit_length=256))
    header = os.urandom(45)  # as long as a vault blob's header
    offsets = range(0, len(data), chunk)

    def associated(index: int) -> bytes:
        return header + index.to_bytes(8, "big") + b"\x00"

    def encrypt():
        for index, offset in enumerate(offsets):
            aead.encrypt(os.urandom(12), data[offset : offset + chunk], associated(index))

    nonces = [os.urandom(12) for _ in offsets]
    sealed = [
        aead.encrypt(nonce, data[offset : offset + chunk], associated(index))
        for index, (nonce, offset) in enumerate(zip(nonces, offsets, strict=True))
    ]

    def decrypt():
        size = 0
        for index, (nonce, ciphertext) in enumerate(zip(nonces, sealed, strict=True)):
            size += len(aead.decrypt(nonce, ciphertext, associated(index)))
        if size != body.size:
            raise RuntimeError("raw AES-GCM round trip lost bytes")

    def sha256():
        digest = hashlib.sha256()
        for offset in range(0, len(data), 64 * 1024):
            digest.update(data[offset : offset + 64 * 1024])
        if digest.hexdigest() != body.sha256:
            raise RuntimeError("raw SHA-256 differs")

    best = [min(timed(action)[0] for _ in range(repeats)) for action in (encrypt, decrypt, sha256)]
    data.release()
    return best[0], best[1], best[2]


def throughput(size_mb: int, token: str) -> dict:
    body = make_body(size_mb)
    repeats = REPEATS[size_mb]
    try:
        up = {"vault": [], "plain": []}
        kept = {}
        for _ in range(repeats):  # interleaved, so that drifts hit both alike
            for kind in ("vault", "plain"):
                seconds, handle = timed(lambda kind=kind: do_upload(kind, body, token))
                up[kind].append(seconds)
                if kind in kept:
                    discard(kind, kept[kind])
                kept[kind] = handle
        for kind, handle in kept.items():  # correctness, once, not timed
            digest = hashlib.sha256()
            received = download(content_url(kind, handle), token, sink=digest)
            if received != body.size or digest.hexdigest() != body.sha256:
                raise RuntimeError(f"{kind} download of {size_mb} MB differs from the upload")
        down = {"vault": [], "plain": []}
        for _ in range(repeats):
            for kind, handle in kept.items():
                url = content_url(kind, handle)
                seconds, received = timed(lambda url=url: download(url, token))
                if received != body.size:
                    raise RuntimeError(f"{kind} download gave {received} bytes")
                down[kind].append(seconds)
        for kind, handle in kept.items():
            discard(kind, handle)
        aes_encrypt, aes_decrypt, sha256 = raw_crypto(body, repeats)
    finally:
        body.path.unlink(missing_ok=True)
    return {
        "size_mb": size_mb,
        "repeats": repeats,
        # Each vault run is paired with the plain run next to it: the median of the
        # pairs' ratios resists the machine's drifts better than a ratio of two bests.
        "up_ratio": statistics.median(p / v for v, p in zip(up["vault"], up["plain"], strict=True)),
        "down_ratio": statistics.median(
            p / v for v, p in zip(down["vault"], down["plain"], strict=True)
        ),
        "up_vault": size_mb / min(up["vault"]),
        "up_plain": size_mb / min(up["plain"]),
        "down_vault": size_mb / min(down["vault"]),
        "down_plain": size_mb / min(down["plain"]),
        "aes_encrypt": size_mb / aes_encrypt,
        "aes_decrypt": size_mb / aes_decrypt,
        "sha256": size_mb / sha256,
    }


def _status_kb(field: str) -> int:
    with open("/proc/self/status") as status_file:
        for line in status_file:
            if line.startswith(field + ":"):
                return int(line.split()[1])
    raise RuntimeError(f"no {field} in /proc/self/status")


def _reset_peak_rss() -> bool:
    try:
        with open("/proc/self/clear_refs", "w") as clear_refs:
            clear_refs.write("5")
    except OSError:
        return False
    return True


def peak_rss_growth(action):
    """(MB the peak RSS grew by during ``action``, or None off Linux; its result)."""
    gc.collect()
    if not _reset_peak_rss():
        return None, action()
    before = _status_kb("VmHWM")
    result = action()
    return (_status_kb("VmHWM") - before) / 1024, result


def traced_peak(action):
    """(MB of tracemalloc's peak above the start during ``action``; its result)."""
    gc.collect()
    tracemalloc.start()
    try:
        start, _ = tracemalloc.get_traced_memory()
        result = action()
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    return (peak - start) / MB, result


def memory(token: str) -> dict:
    body = make_body(MEMORY_MB)
    figures = {}
    try:
        # Calibration of the instruments: what holding the whole body in memory shows.
        rss, _ = peak_rss_growth(lambda: len(body.path.read_bytes()))
        traced, _ = traced_peak(lambda: len(body.path.read_bytes()))
        figures["calibration"] = (rss, traced, None, None)
        for kind in ("vault", "plain"):
            rss_up, handle = peak_rss_growth(lambda kind=kind: do_upload(kind, body, token))
            url = content_url(kind, handle)
            rss_down, received = peak_rss_growth(lambda url=url: download(url, token))
            if received != body.size:
                raise RuntimeError(f"{kind} download gave {received} bytes")
            traced_up, second = traced_peak(lambda kind=kind: do_upload(kind, body, token))
            traced_down, _ = traced_peak(lambda url=url: download(url, token))
            discard(kind, handle)
            discard(kind, second)
            figures[kind] = (rss_up, traced_up, rss_down, traced_down)
    finally:
        body.path.unlink(missing_ok=True)
    return figures


def _mb(value) -> str:
    return "   n/a" if value is None else f"{value:6.1f}"


def main() -> None:
    started = time.perf_counter()
    call_command("migrate", verbosity=0)
    user_create(email=EMAIL, password=PASSWORD, role=Role.YOUNG_PERSON, email_verified=True)
    with override_settings(ROOT_URLCONF=__name__, FILE_UPLOAD_TEMP_DIR=str(WORK_DIR)):
        token = login()
        warm = make_body(1)  # first requests pay for imports and caches
        for kind in ("vault", "plain"):
            handle = do_upload(kind, warm, token)
            download(content_url(kind, handle), token)
            discard(kind, handle)
        warm.path.unlink()
        mem = memory(token)  # before the big runs have grown the heap
        rows = [throughput(size_mb, token) for size_mb in SIZES_MB]

    chunk_kb = settings.VAULT_CHUNK_SIZE // 1024
    print(
        f"Vault throughput through the WSGI app (SQLite, local files, {chunk_kb} KiB chunks),"
        " MB/s best of N, ratios the median of paired runs; 1 MB = 2**20 bytes"
    )
    print(
        f"{'size':>6} {'N':>2} | {'upload':>8} {'plain up':>8} {'ratio':>6} |"
        f" {'download':>8} {'plain dn':>8} {'ratio':>6} |"
        f" {'AES enc':>8} {'AES dec':>8} {'SHA-256':>8}"
    )
    for row in rows:
        print(
            f"{row['size_mb']:>3} MB {row['repeats']:>2} |"
            f" {row['up_vault']:8.1f} {row['up_plain']:8.1f}"
            f" {row['up_ratio']:6.2f} |"
            f" {row['down_vault']:8.1f} {row['down_plain']:8.1f}"
            f" {row['down_ratio']:6.2f} |"
            f" {row['aes_encrypt']:8.1f} {row['aes_decrypt']:8.1f} {row['sha256']:8.1f}"
        )
    ceilings = ", ".join(
        f"{1 / (1 + row['up_plain'] / row['aes_encrypt'] + row['up_plain'] / row['sha256']):.2f}"
        f" at {row['size_mb']} MB"
        for row in rows
    )
    print(
        "upload ratio if raw AES-GCM and SHA-256 ran one after the other in the request's "
        "thread (the vault overlaps them with the parsing instead), "
        f"to the unencrypted upload: {ceilings}"
    )
    print()
    print(f"Memory for one {MEMORY_MB} MB file (growth of peak RSS ; tracemalloc peak), MB")
    print(f"{'':>34} {'upload':>15}   {'download':>15}")
    labels = (
        ("vault", "encrypted (vault API)"),
        ("plain", "unencrypted baseline"),
        ("calibration", "calibration: body read in memory"),
    )
    for kind, label in labels:
        rss_up, traced_up, rss_down, traced_down = mem[kind]
        line = f"{label:>34} {_mb(rss_up)} ; {_mb(traced_up)}"
        if traced_down is not None:
            line += f"   {_mb(rss_down)} ; {_mb(traced_down)}"
        print(line)
    print()
    ratios = {row["size_mb"]: row["up_ratio"] for row in rows}
    upload_met = all(ratio >= UPLOAD_TARGET for ratio in ratios.values())
    listed = ", ".join(f"{ratio:.2f} at {size} MB" for size, ratio in ratios.items())
    print(
        f"target encrypted/unencrypted upload >= {UPLOAD_TARGET}: "
        f"{'met' if upload_met else 'MISSED'} ({listed})"
    )
    rss_up, _, rss_down, _ = mem["vault"]
    if rss_up is None:
        print(f"target peak memory growth < {MEMORY_TARGET_MB} MB: unknown (no /proc/self)")
    else:
        memory_met = max(rss_up, rss_down) < MEMORY_TARGET_MB
        print(
            f"target peak memory growth < {MEMORY_TARGET_MB} MB for {MEMORY_MB} MB: "
            f"{'met' if memory_met else 'MISSED'} "
            f"(upload {rss_up:.1f} MB, download {rss_down:.1f} MB)"
        )
    print(f"({time.perf_counter() - started:.0f} s)")


if __name__ == "__main__":
    try:
        main()
    finally:
        shutil.rmtree(WORK_DIR, ignore_errors=True)
