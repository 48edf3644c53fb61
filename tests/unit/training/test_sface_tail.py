"""SFace's trunk/tail split and the ONNX write-back of a fine-tuned twin (issue 12), on real
faces through the folded SFace weights."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from attendance_app.domain.errors import TrainingError, WeightsError


@pytest.fixture(scope="module")
def aligned_faces(dataset, sface_embedder):
    """Four 112 px aligned faces of two people (real MTCNN landmarks)."""
    from attendance_app.vision.face_detector import MtcnnFaceDetector
    from attendance_app.vision.image_io import load_image_rgb

    root = dataset("face_recognition_examples")
    detector = MtcnnFaceDetector()
    faces = []
    for name in ("biden/biden.jpg", "biden/biden2.jpg", "obama/obama.jpg", "obama/obama2.jpg"):
        rgb = load_image_rgb(root / name)
        faces.append(sface_embedder.prepare(rgb, detector.detect(rgb)[0]))
    return np.stack(faces)


@pytest.fixture(scope="module")
def graph(sface_weights):
    from attendance_app.vision.weights.sface_export import load_sface_graph

    return load_sface_graph(sface_weights.path, sface_weights.sha256)


@pytest.fixture
def twin(graph):
    from attendance_app.vision.weights.sface_torch import build_sface_module

    return build_sface_module(graph)


@pytest.mark.parametrize("first", ["conv_24", "conv_25", "conv_27", "linear", "bn_embedding"])
def test_trunk_then_tail_equals_the_whole_twin(twin, aligned_faces, sface_embedder, first):
    from attendance_app.training.sface_tail import SFaceTail

    whole = torch.nn.functional.normalize(
        twin(torch.from_numpy(aligned_faces).permute(0, 3, 1, 2).float()), dim=1)
    tail = SFaceTail(twin, (first,))
    with torch.no_grad():
        split = tail(tail.trunk(tail.to_input(aligned_faces)))
    assert torch.allclose(split, whole, atol=1e-5)
    # and both are what the cv2.dnn embedder gives
    np.testing.assert_allclose(split.numpy(), sface_embedder.embed(aligned_faces), atol=1e-4)


def test_only_the_named_blocks_train_and_the_net_stays_in_eval_mode(twin):
    from attendance_app.training.sface_tail import SFaceTail, sface_blocks

    tail = SFaceTail(twin, ("conv_27", "linear"))
    tail.train()
    assert not twin.training
    blocks = {name: (a, b) for name, a, b in sface_blocks(twin)}
    trainable = {i for i, layer in enumerate(twin) if any(p.requires_grad for p in layer.parameters())}
    assert trainable == set(range(*blocks["conv_27"])) | set(range(*blocks["linear"]))
    assert len([b for b in sface_blocks(twin) if b[0].startswith("conv_")]) == 27


def test_facenet_blocks_are_refused_for_sface_with_the_reason(twin):
    from attendance_app.training.face_finetuner import FaceFineTuner
    from attendance_app.training.fine_tune_config import FineTuneConfig

    samples = [(p, np.zeros((112, 112, 3), np.uint8)) for p in "aabbcc"]
    with pytest.raises(TrainingError, match="SFace trainable blocks"):
        FaceFineTuner(FineTuneConfig(epochs=1)).fit(twin, samples)


def test_wrong_sized_faces_are_refused(twin):
    from attendance_app.training.face_finetuner import FaceFineTuner
    from attendance_app.training.fine_tune_config import for_architecture

    samples = [(p, np.zeros((160, 160, 3), np.uint8)) for p in "aabbcc"]
    with pytest.raises(TrainingError, match="112x112x3"):
        FaceFineTuner(for_architecture("sface", epochs=1)).fit(twin, samples)


def test_exported_graph_runs_in_cv2_like_the_changed_torch_module(graph, twin, aligned_faces):
    from attendance_app.vision.sface_embedder import SFaceEmbedder
    from attendance_app.vision.weights.sface_export import export_fine_tuned, read_net_bytes

    state = {k: v.clone() for k, v in twin.state_dict().items()}
    gen = torch.Generator().manual_seed(0)
    for key in ("84.weight", "79.weight"):  # the Gemm and the last pointwise conv
        state[key] += 0.05 * state[key].std() * torch.randn(state[key].shape, generator=gen)
    data, cosine = export_fine_tuned(graph, state, aligned_faces)
    assert cosine > 0.9999
    twin.load_state_dict(state)
    with torch.no_grad():
        expected = torch.nn.functional.normalize(
            twin(torch.from_numpy(aligned_faces).permute(0, 3, 1, 2).float()), dim=1).numpy()
    got = SFaceEmbedder(read_net_bytes(data), "x").embed(aligned_faces)
    np.testing.assert_allclose(got, expected, atol=1e-4)
    stock = SFaceEmbedder(read_net_bytes(graph.SerializeToString()), "y").embed(aligned_faces)
    assert np.abs(got - stock).max() > 1e-3  # the change really reached the graph


def test_weights_of_another_shape_are_refused(graph, twin, aligned_faces):
    from attendance_app.vision.weights.sface_export import export_fine_tuned

    state = dict(twin.state_dict())
    state["84.weight"] = torch.zeros(3, 3)
    with pytest.raises(WeightsError, match="do not fit SFace"):
        export_fine_tuned(graph, state, aligned_faces)


def test_a_corrupt_or_missing_graph_file_is_refused_with_a_clear_message(tmp_path, sface_weights):
    from attendance_app.vision.weights.sface_export import load_sface_graph

    broken = tmp_path / "x.onnx"
    broken.write_bytes(sface_weights.path.read_bytes()[:1000])
    with pytest.raises(WeightsError, match="corrupt or were changed"):
        load_sface_graph(broken, sface_weights.sha256)
    with pytest.raises(WeightsError, match="missing"):
        load_sface_graph(tmp_path / "nothing.onnx", sface_weights.sha256)
