"""MTCNN's P-, R- and O-nets loaded from facenet-pytorch's files only after their sha256 matched.

facenet-pytorch's own constructors call a plain `torch.load(path)`, which unpickles arbitrary
objects on torch < 2.6 (pyproject allows 2.2+). Here each file is checked against
known_checksums.KNOWN_SHA256, loaded with `weights_only=True` and put into a net built with
`pretrained=False` (strict load). `CheckedMtcnn` is facenet-pytorch's MTCNN built on those nets.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

import torch
from facenet_pytorch import MTCNN
from facenet_pytorch.models.mtcnn import ONet, PNet, RNet

from attendance_app.domain.errors import WeightsError
from attendance_app.vision.weights.known_checksums import MTCNN_KEYS, verify_known_file


def mtcnn_data_dir() -> Path:
    """facenet-pytorch's `data/` folder holding pnet.pt, rnet.pt and onet.pt."""
    spec = importlib.util.find_spec("facenet_pytorch")
    if spec is None or spec.origin is None:
        raise WeightsError("facenet-pytorch is not installed: run scripts/setup_env.sh")
    return Path(spec.origin).parent / "data"


def load_checked_net(name: str, data_dir: Path | None = None) -> torch.nn.Module:
    """The eval-mode PNet/RNet/ONet (`name` 'pnet' | 'rnet' | 'onet') with verified weights.

    Raises WeightsError when the file is missing, its sha256 differs from the recorded one, or it
    does not load with weights_only=True into the net (strict).
    """
    net: torch.nn.Module = {"pnet": PNet, "rnet": RNet, "onet": ONet}[name](pretrained=False)
    path = (data_dir or mtcnn_data_dir()) / f"{name}.pt"
    verify_known_file(path, MTCNN_KEYS[name])
    try:
        state = torch.load(path, map_location="cpu", weights_only=True)
        net.load_state_dict(state, strict=True)
    except Exception as exc:  # noqa: BLE001 - any unpickling/shape failure means "bad file"
        raise WeightsError(f"MTCNN weights {path} cannot be loaded ({type(exc).__name__}: "
                           f"{str(exc)[:200]})") from exc
    return net.eval()


class CheckedMtcnn(MTCNN):  # type: ignore[misc]  # facenet-pytorch ships no type hints
    """facenet-pytorch MTCNN whose nets come from `load_checked_net` (never its plain load).

    Takes MTCNN's keyword arguments. MTCNN.__init__ would load the files itself, so the
    attributes it sets are set here instead; a test compares them with a stock MTCNN's.
    """

    def __init__(self, image_size: int = 160, margin: int = 0, min_face_size: int = 20,
                 thresholds: list[float] | None = None, factor: float = 0.709,
                 post_process: bool = True, select_largest: bool = True,
                 selection_method: str | None = None, keep_all: bool = False,
                 device: torch.device | None = None, data_dir: Path | None = None) -> None:
        torch.nn.Module.__init__(self)
        self.image_size = image_size
        self.margin = margin
        self.min_face_size = min_face_size
        self.thresholds = [0.6, 0.7, 0.7] if thresholds is None else list(thresholds)
        self.factor = factor
        self.post_process = post_process
        self.select_largest = select_largest
        self.keep_all = keep_all
        self.selection_method = selection_method or ("largest" if select_largest else "probability")
        self.pnet = load_checked_net("pnet", data_dir)
        self.rnet = load_checked_net("rnet", data_dir)
        self.onet = load_checked_net("onet", data_dir)
        self.device = device or torch.device("cpu")
        self.to(self.device)
