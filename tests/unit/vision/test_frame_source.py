import os
import shutil
import time
from pathlib import Path

import cv2
import numpy as np
import pytest

from attendance_app.domain.errors import CameraError
from attendance_app.vision.camera_discovery import describe_cameras, list_cameras
from attendance_app.vision.frame_source import (
    CameraSource,
    Frame,
    FrameSource,
    ImageFolderSource,
    ReconnectingSource,
    StreamSource,
    VideoFileSource,
    open_source,
)
from attendance_app.vision.latest_frame_grabber import LatestFrameGrabber

CLIP_FRAMES = 275


@pytest.fixture
def clip(dataset) -> Path:
    return dataset("face_recognition_video") / "short_hamilton_clip.mp4"


def _read_all(source: FrameSource) -> list[Frame]:
    frames = []
    while (frame := source.read()) is not None:
        frames.append(frame)
    return frames


def test_a_video_file_yields_every_frame_as_rgb_with_video_time_then_ends(clip) -> None:
    with VideoFileSource(clip) as source:
        frames = _read_all(source)
        fps = source.fps
    assert len(frames) == CLIP_FRAMES
    assert fps == pytest.approx(29.97, abs=0.01)
    assert [f.index for f in frames] == list(range(CLIP_FRAMES))
    assert frames[100].timestamp_s == pytest.approx(100 / fps)
    assert frames[0].rgb.shape == (360, 640, 3) and frames[0].rgb.dtype == np.uint8
    ok, bgr = cv2.VideoCapture(str(clip)).read()
    np.testing.assert_array_equal(frames[0].rgb, bgr[:, :, ::-1])  # RGB, not OpenCV's BGR


def test_a_looping_video_restarts_with_increasing_index_and_time(clip) -> None:
    with VideoFileSource(clip, loop=True) as source:
        frames = [source.read() for _ in range(CLIP_FRAMES + 5)]
    assert [f.index for f in frames] == list(range(CLIP_FRAMES + 5))
    np.testing.assert_array_equal(frames[CLIP_FRAMES].rgb, frames[0].rgb)
    assert frames[CLIP_FRAMES].timestamp_s > frames[CLIP_FRAMES - 1].timestamp_s


def test_a_damaged_video_skips_and_counts_the_unreadable_frames(clip, tmp_path) -> None:
    damaged = tmp_path / "damaged.mp4"
    shutil.copy(clip, damaged)
    size = damaged.stat().st_size
    with open(damaged, "r+b") as f:
        f.seek(size // 2)
        f.write(np.random.default_rng(0).bytes(size // 10))
    with VideoFileSource(damaged) as source:
        frames = _read_all(source)
        corrupted = source.corrupted_frames
    assert 0 < len(frames) < CLIP_FRAMES
    assert corrupted > 0
    assert all(f.rgb.shape == (360, 640, 3) for f in frames)


def test_an_image_folder_plays_its_images_in_name_order_skipping_broken_files(clip, tmp_path) -> None:
    with VideoFileSource(clip) as video:
        originals = [video.read().rgb for _ in range(3)]
    for i, rgb in enumerate(originals):
        cv2.imwrite(str(tmp_path / f"frame_{i}.png"), rgb[:, :, ::-1])
    (tmp_path / "frame_1b.png").write_bytes(b"not a png at all")
    (tmp_path / "notes.txt").write_text("ignored: not an image name")
    with ImageFolderSource(tmp_path, fps=2.0) as source:
        frames = _read_all(source)
        assert source.corrupted_frames == 1
    assert len(frames) == 3
    for frame, rgb in zip(frames, originals):
        np.testing.assert_array_equal(frame.rgb, rgb)
    assert [f.timestamp_s for f in frames] == [0.0, 0.5, 1.0]


def test_open_source_understands_camera_numbers_urls_files_and_folders(clip, tmp_path) -> None:
    assert isinstance(open_source("0"), CameraSource)
    assert isinstance(open_source("rtsp://cam.local/stream"), StreamSource)
    assert isinstance(open_source(str(clip)), VideoFileSource)
    assert isinstance(open_source(str(tmp_path)), ImageFolderSource)
    with pytest.raises(CameraError, match="not a camera number"):
        open_source(str(tmp_path / "missing.mp4"))


def test_a_missing_camera_index_is_refused_naming_the_cameras_that_exist() -> None:
    with pytest.raises(CameraError) as raised:
        CameraSource(57).open()
    assert "camera 57" in str(raised.value)
    assert describe_cameras(list_cameras()) in str(raised.value)


def test_listing_cameras_is_quick_and_returns_indices() -> None:
    started = time.perf_counter()
    cameras = list_cameras(max_index=5)
    assert time.perf_counter() - started < 3.0
    assert all(isinstance(i, int) and 0 <= i < 5 for i in cameras)


def test_a_stream_that_does_not_open_says_so_without_showing_the_password() -> None:
    with pytest.raises(CameraError) as raised:
        StreamSource("rtsp://admin:s3cret@127.0.0.1:1/live", open_timeout_s=2).open()
    message = str(raised.value)
    assert "could not open" in message and "127.0.0.1" in message
    assert "s3cret" not in message


class _CameraThatUnplugs:
    """A live camera at the edge of the system: real frames from a video, but it stops after
    `fail_after` frames and refuses `failed_reopens` reopen attempts before coming back."""

    def __init__(self, clip: Path, fail_after: int, failed_reopens: int) -> None:
        self._video = VideoFileSource(clip)
        self._fail_after = fail_after
        self._failed_reopens = failed_reopens
        self.opens = 0
        self.delivered = 0

    fps = property(lambda self: 30.0)
    is_live = property(lambda self: True)
    corrupted_frames = property(lambda self: 0)
    description = property(lambda self: "camera 0")

    def open(self) -> None:
        self.opens += 1
        if 1 < self.opens <= 1 + self._failed_reopens:
            raise CameraError("camera 0 could not be opened")
        self._video.open()

    def read(self) -> Frame | None:
        if self.delivered == self._fail_after:
            self.delivered += 1  # unplugged once only
            raise CameraError("camera 0 stopped delivering frames")
        self.delivered += 1
        return self._video.read()

    def close(self) -> None:
        self._video.close()


def test_a_camera_that_disappears_is_reported_and_reopened_with_growing_back_off(clip) -> None:
    sleeps: list[float] = []
    messages: list[str] = []
    camera = _CameraThatUnplugs(clip, fail_after=5, failed_reopens=3)
    source = ReconnectingSource(camera, initial_delay_s=0.5, max_delay_s=1.5,
                                on_status=messages.append, sleep=sleeps.append)
    source.open()
    frames = [source.read() for _ in range(10)]
    assert all(f is not None for f in frames)
    assert sleeps == [0.5, 1.0, 1.5, 1.5]
    assert (source.disconnects, source.reconnects) == (1, 1)
    assert "stopped delivering" in messages[0] and "reconnected" in messages[-1]


def test_a_camera_that_never_comes_back_ends_with_a_camera_error(clip) -> None:
    camera = _CameraThatUnplugs(clip, fail_after=2, failed_reopens=100)
    source = ReconnectingSource(camera, max_attempts=3, sleep=lambda s: None)
    source.open()
    source.read(), source.read()
    with pytest.raises(CameraError, match="did not come back after 3 attempts"):
        source.read()


def test_the_grabber_hands_a_slow_consumer_only_the_newest_frames(clip) -> None:
    received = []
    with LatestFrameGrabber(VideoFileSource(clip)) as grabber:
        while (frame := grabber.get(timeout=5)) is not None:
            received.append(frame.index)
            time.sleep(0.02)  # a consumer slower than decoding
    assert received == sorted(set(received))  # newest first, never a repeat or a stale one
    assert grabber.frames_read == CLIP_FRAMES and grabber.error is None
    assert len(received) < CLIP_FRAMES
    assert grabber.dropped_frames == CLIP_FRAMES - len(received)


def test_the_grabber_paces_a_file_at_its_frame_rate_in_real_time_mode(clip) -> None:
    grabber = LatestFrameGrabber(VideoFileSource(clip), realtime=True).start()
    started = time.monotonic()
    try:
        while (frame := grabber.get(timeout=5)) is not None and frame.index < 15:
            assert time.monotonic() - started >= frame.timestamp_s - 0.02  # never ahead of time
    finally:
        assert grabber.stop(timeout=5)
    assert frame is not None and frame.index >= 15
    assert time.monotonic() - started >= 15 / 29.97 - 0.02


def test_stopping_the_grabber_mid_stream_ends_the_thread_and_closes_the_source(clip) -> None:
    source = VideoFileSource(clip)
    grabber = LatestFrameGrabber(source, realtime=True).start()
    assert grabber.get(timeout=5) is not None
    assert grabber.stop(timeout=5)
    assert grabber.frames_read < CLIP_FRAMES
    assert source.fps is None  # closed: no capture left open


def test_a_source_failing_inside_the_grabber_is_reported_not_raised(clip) -> None:
    camera = _CameraThatUnplugs(clip, fail_after=3, failed_reopens=0)
    with LatestFrameGrabber(camera) as grabber:
        got = []
        while (frame := grabber.get(timeout=5)) is not None:
            got.append(frame)
    assert isinstance(grabber.error, CameraError)
    assert grabber.finished and len(got) >= 1


def test_a_missing_video_file_is_a_camera_error(tmp_path) -> None:
    with pytest.raises(CameraError, match="not found"):
        VideoFileSource(tmp_path / "nope.mp4").open()
    not_video = tmp_path / "text.mp4"
    not_video.write_text("hello")
    with pytest.raises(CameraError, match="could not be opened"):
        VideoFileSource(not_video).open()
