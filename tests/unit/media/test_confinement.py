"""Decoders of untrusted files run where they cannot write a file: a child process with
RLIMIT_FSIZE 0, bounded memory and CPU, input and output by pipe."""

from __future__ import annotations

import asyncio
import io
import sys
from pathlib import Path

import pytest
from PIL import Image

from gatepost_media.confinement import Confinement
from gatepost_media.domain import RejectedImage
from gatepost_media.video_tools import ChildLimits, RejectedVideo, VideoTools


def test_a_confined_process_cannot_write_a_file(tmp_path: Path) -> None:
    target = tmp_path / "public.jpg"
    code = f"f = open({str(target)!r}, 'wb'); f.write(b'hostile bytes'); f.flush()"
    status, _, err = asyncio.run(Confinement().run(sys.executable, "-B", "-c", code))
    assert status != 0 and b"File too large" in err, err
    assert not target.exists() or target.read_bytes() == b"", "no byte reached the file"


def test_a_confined_shell_cannot_write_a_file_either(tmp_path: Path) -> None:
    target = tmp_path / "public.jpg"
    status, _, _ = asyncio.run(Confinement().run("/bin/sh", "-c", f"printf 'hostile' > {target}"))
    assert status != 0 and (not target.exists() or target.stat().st_size == 0)


def test_a_decoder_asking_for_more_memory_than_allowed_fails() -> None:
    code = "b = bytearray(600 * 1024 * 1024)"
    status, _, err = asyncio.run(
        Confinement(memory_bytes=512 * 1024**2).run(sys.executable, "-B", "-c", code)
    )
    assert status != 0 and b"MemoryError" in err


def test_an_upload_is_normalised_in_the_confined_child() -> None:
    picture = io.BytesIO()
    Image.new("RGB", (1600, 1200), (30, 120, 60)).save(picture, "PNG")
    confined = Confinement()
    image = asyncio.run(
        confined.normalise(picture.getvalue(), max_pixels=40_000_000, quality=90, fit="crop")
    )
    assert Image.open(io.BytesIO(image.jpeg)).size == (1080, 1080)
    with pytest.raises(RejectedImage, match="not a readable image"):
        asyncio.run(confined.normalise(b"no image", max_pixels=10, quality=90, fit="crop"))


def test_ffprobe_and_ffmpeg_run_confined(tmp_path: Path) -> None:
    """The same limits hold for ffprobe and ffmpeg (`VideoTools.run`): a shell given in its place
    cannot write a file."""
    target = tmp_path / "x"
    tools = VideoTools(ChildLimits())
    with pytest.raises(RejectedVideo):  # a failed command is refused as a bad video
        asyncio.run(tools.run("/bin/sh", "-c", f"printf 'hostile' > {target}"))
    assert not target.exists() or target.stat().st_size == 0
