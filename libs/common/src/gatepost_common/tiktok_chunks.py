"""How a FILE_UPLOAD is cut into chunks by TikTok's rules (Content Posting API, media transfer
guide)."""

from __future__ import annotations


def chunk_plan(size: int, chunk: int = 10_000_000) -> tuple[int, int]:
    """(chunk_size, total_chunk_count) for a FILE_UPLOAD by TikTok's rules: a file smaller than
    two chunks goes whole (it must stay under 64,000,000 bytes, which the caller's chunk size
    guarantees); otherwise floor(size / chunk) chunks, the last taking the remainder."""
    if size < 2 * chunk:
        return size, 1
    return chunk, size // chunk


def chunk_range(size: int, chunk: int, count: int, index: int) -> tuple[int, int]:
    """First and last byte of chunk `index`."""
    first = index * chunk
    return first, size - 1 if index == count - 1 else first + chunk - 1
