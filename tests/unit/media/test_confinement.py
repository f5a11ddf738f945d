"""Decoders of untrusted files run where they cannot write a file: a child process with
RLIMIT_FSIZE 0, bounded memory and CPU, input and output by pipe, a bounded number at once; one
runner (confinement.py) for Pillow, ffprobe and ffmpeg alike."""

from __future__ import annotations

import asyncio
import io
import sys
from pathlib import Path
from typing import Any

import pytest
from PIL import Image

from gatepost_media.confinement import ChildLimits, Confinement
from gatepost_media.domain import RejectedImage
from gatepost_media.image_tools import ImageTools
from gatepost_media.settings import Settings
from gatepost_media.video_tools import RejectedVideo, VideoTools

SHOWN = "import resource as r; print(r.getrlimit(r.RLIMIT_CPU), r.getrlimit(r.RLIMIT_AS))"


def confined(**limits: Any) -> Confinement:
    return Confinement(ChildLimits(**limits))


def test_a_confined_process_cannot_write_a_file(tmp_path: Path) -> None:
    target = tmp_path / "public.jpg"
    code = f"f = open({str(target)!r}, 'wb'); f.write(b'hostile bytes'); f.flush()"
    done = asyncio.run(confined().run(sys.executable, "-B", "-c", code))
    assert done.status != 0 and b"File too large" in done.err, done.err
    assert not target.exists() or target.read_bytes() == b"", "no byte reached the file"


def test_a_confined_shell_cannot_write_a_file_either(tmp_path: Path) -> None:
    target = tmp_path / "public.jpg"
    done = asyncio.run(confined().run("/bin/sh", "-c", f"printf 'hostile' > {target}"))
    assert done.status != 0 and (not target.exists() or target.stat().st_size == 0)


def test_a_decoder_asking_for_more_memory_than_allowed_fails() -> None:
    code = "b = bytearray(600 * 1024 * 1024)"
    done = asyncio.run(confined(memory_bytes=512 * 1024**2).run(sys.executable, "-B", "-c", code))
    assert done.status != 0 and b"MemoryError" in done.err


def test_a_child_past_its_deadline_is_killed() -> None:
    runner = confined(timeout_s=0.5)
    with pytest.raises(TimeoutError):
        asyncio.run(runner.run(sys.executable, "-c", "import time; time.sleep(60)"))


def test_an_upload_is_normalised_in_the_confined_child() -> None:
    picture = io.BytesIO()
    Image.new("RGB", (1600, 1200), (30, 120, 60)).save(picture, "PNG")
    tools = ImageTools(confined())
    image = asyncio.run(
        tools.normalise(picture.getvalue(), max_pixels=40_000_000, quality=90, fit="crop")
    )
    assert Image.open(io.BytesIO(image.jpeg)).size == (1080, 1080)
    with pytest.raises(RejectedImage, match="not a readable image"):
        asyncio.run(tools.normalise(b"no image", max_pixels=10, quality=90, fit="crop"))


def test_ffprobe_and_ffmpeg_run_confined(tmp_path: Path) -> None:
    """The same runner holds ffprobe and ffmpeg (`VideoTools.run`): a shell given in its place
    cannot write a file."""
    target = tmp_path / "x"
    tools = VideoTools(confined())
    with pytest.raises(RejectedVideo):  # a failed command is refused as a bad video
        asyncio.run(tools.run("/bin/sh", "-c", f"printf 'hostile' > {target}"))
    assert not target.exists() or target.stat().st_size == 0


def test_the_settings_give_each_kind_of_child_its_own_limits() -> None:
    """Pillow's and ffmpeg's limits are set apart, applied by the one runner."""
    settings = Settings(
        decoders_at_once=1, decoder_cpu_s=5, decoder_memory_bytes=700 << 20, video_tool_cpu_s=9
    )
    pictures = Confinement(settings.decoder_limits())
    done = asyncio.run(pictures.run(sys.executable, "-c", SHOWN))
    assert done.out.decode().split() == ["(5,", "6)", f"({700 << 20},", f"{700 << 20})"]
    assert pictures.limits.concurrency == 1 and settings.video_tool_limits().cpu_s == 9


class Gated:
    """A stand-in child that finishes only when the gate opens; counts the children started."""

    def __init__(self) -> None:
        self.started = 0
        self.gate = asyncio.Event()
        self.returncode = 0

    async def spawn(self, *_: Any, **__: Any) -> Gated:
        self.started += 1
        return self

    async def communicate(self, _: bytes | None = None) -> tuple[bytes, bytes]:
        await self.gate.wait()
        return b"\xff\xd8jpeg", b""


async def test_no_more_picture_decoders_run_at_once_than_the_bound(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Each upload used to start its own 2 GiB child, as many as requests came in."""
    children = Gated()
    monkeypatch.setattr(asyncio, "create_subprocess_exec", children.spawn)
    tools = ImageTools(confined(concurrency=2))
    runs = [
        asyncio.create_task(tools.normalise(b"x", max_pixels=1, quality=90, fit="crop"))
        for _ in range(5)
    ]
    for _ in range(20):
        await asyncio.sleep(0)
    assert children.started == 2 and tools.runner.slots.locked()
    children.gate.set()
    assert len(await asyncio.gather(*runs)) == 5 and children.started == 5
