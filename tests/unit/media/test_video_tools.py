"""ffprobe and ffmpeg read a person's file with a forced demuxer, local files only, a bounded
number at once, within CPU and memory limits, and fail with words that name no server path."""

from __future__ import annotations

import asyncio
import resource
import sys
from pathlib import Path
from typing import Any

import pytest

from gatepost_media.confinement import ChildLimits, Confinement
from gatepost_media.video_tools import RejectedVideo, VideoTools, demuxer_of
from gatepost_media.videos import poster_frame, probe
from tests.videos import make_video


async def test_a_failing_probe_names_no_server_path(tmp_path: Path) -> None:
    part = tmp_path / "videos" / "tmp1234.part"
    part.parent.mkdir()
    part.write_bytes(b"\x00\x00\x00\x18ftypisom" + b"not really a video" * 100)
    with pytest.raises(RejectedVideo) as refused:
        await probe(VideoTools(Confinement(ChildLimits())), part)
    assert "/" not in str(refused.value) and ".part" not in str(refused.value)
    assert "tmp1234" not in str(refused.value)


@pytest.mark.parametrize(
    ("head", "demuxer"),
    [
        (b"\x00\x00\x00\x18ftypisom", "mov"),
        (b"\x00\x00\x00\x14ftypqt  ", "mov"),
        (b"\x00\x00\x00\x08wide\x00\x00", "mov"),
        (b"\x1a\x45\xdf\xa3\x9f\x42\x86\x81\x01\x42\x82\x84webm", "matroska"),
    ],
)
def test_the_demuxer_is_forced_from_the_first_bytes(head: bytes, demuxer: str) -> None:
    assert demuxer_of(head) == demuxer


@pytest.mark.parametrize(
    "head",
    [
        b"#EXTM3U\n#EXT-X-",
        b"ffconcat version 1.0",
        b"GIF89a\x01\x00",
        b"RIFF\x00\x00AVI ",
        b"\x1a\x45\xdf\xa3\x9f\x42\x86\x81\x01\x42\x82\x88matroska",  # an .mkv, not WebM
    ],
)
def test_other_containers_reach_no_demuxer(head: bytes) -> None:
    with pytest.raises(RejectedVideo, match="MP4, MOV or WebM"):
        demuxer_of(head)


async def test_a_playlist_named_like_a_video_is_refused_before_ffprobe(tmp_path: Path) -> None:
    """An HLS playlist would make ffprobe open the URLs (or files) it lists."""
    playlist = tmp_path / "clip.mp4"
    playlist.write_text("#EXTM3U\n#EXTINF:1,\nhttp://169.254.169.254/latest/meta-data\n")
    with pytest.raises(RejectedVideo, match="MP4, MOV or WebM"):
        await probe(VideoTools(Confinement(ChildLimits())), playlist)


@pytest.mark.parametrize(("name", "codec"), [("clip.mp4", "libx264"), ("clip.webm", "libvpx")])
async def test_a_real_video_is_still_read_within_the_limits(
    tmp_path: Path, name: str, codec: str
) -> None:
    tools = VideoTools(Confinement(ChildLimits(concurrency=1, cpu_s=30, memory_bytes=1 << 30)))
    clip = make_video(tmp_path / name, 1.5, codec=codec)
    facts = await probe(tools, clip)
    assert (facts.extension, facts.width, facts.height) == (name[5:], 640, 360)
    assert (await poster_frame(tools, clip, facts.duration_s)).startswith(b"\xff\xd8")


async def test_the_child_runs_under_cpu_and_memory_limits() -> None:
    tools = VideoTools(Confinement(ChildLimits(cpu_s=7, memory_bytes=900 << 20)))
    shown = "import resource as r; print(r.getrlimit(r.RLIMIT_CPU), r.getrlimit(r.RLIMIT_AS))"
    out = await tools.run(sys.executable, "-c", shown)
    assert out.decode().split() == ["(7,", "8)", f"({900 << 20},", f"{900 << 20})"]
    assert resource.getrlimit(resource.RLIMIT_CPU)[0] != 7  # the service itself is not limited


async def test_a_child_over_its_memory_is_refused_in_plain_words() -> None:
    tools = VideoTools(Confinement(ChildLimits(memory_bytes=200 << 20)))
    with pytest.raises(RejectedVideo) as refused:
        await tools.run(sys.executable, "-c", "x = bytearray(400 << 20)")
    assert "/" not in str(refused.value)


class Gated:
    """A stand-in child that finishes only when the gate opens; counts the children started."""

    def __init__(self) -> None:
        self.started = 0
        self.gate = asyncio.Event()
        self.two_started = asyncio.Event()
        self.returncode = 0

    async def spawn(self, *_: Any, **__: Any) -> Gated:
        self.started += 1
        if self.started == 2:
            self.two_started.set()
        return self

    async def communicate(self, _: bytes | None = None) -> tuple[bytes, bytes]:
        await self.gate.wait()
        return b"out", b""


async def test_no_more_children_run_at_once_than_the_bound(monkeypatch: pytest.MonkeyPatch) -> None:
    children = Gated()
    monkeypatch.setattr(asyncio, "create_subprocess_exec", children.spawn)
    tools = VideoTools(Confinement(ChildLimits(concurrency=2)))
    runs = [asyncio.create_task(tools.run("ffprobe", str(n))) for n in range(3)]
    await children.two_started.wait()
    # every task has had its turn (all were ready before this one woke): the third waits
    assert children.started == 2 and tools.runner.slots.locked()
    children.gate.set()
    assert await asyncio.gather(*runs) == [b"out"] * 3 and children.started == 3
