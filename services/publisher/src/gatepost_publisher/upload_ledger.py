"""What a FILE_UPLOAD may believe of TikTok's answers, without I/O. TikTok can hold only bytes
this publisher sent: those it confirmed (206), and those of a PUT whose answer was lost (a reset, a
time-out, a 5xx), in this step or an earlier one (the job records each chunk's end before it is
sent). Anything beyond came from someone else who used the upload URL (a bearer capability): the
upload is tampered with and never "complete"."""

from __future__ import annotations

from dataclasses import dataclass

from gatepost_publisher.lifecycle import Upload

TAMPERED = (
    "TikTok holds bytes of the video that Gatepost never sent (someone else used its upload "
    "URL): Gatepost sent no more; check the TikTok profile, it may show a video nobody approved"
)


class Tampered(Exception):
    """TikTok holds bytes this publisher never sent."""


@dataclass
class Ledger:
    size: int
    confirmed: int  # TikTok said it holds these, and they were ours
    delivered: int  # the end of the bytes that may have reached TikTok without an answer

    @classmethod
    def of(cls, upload: Upload, size: int) -> Ledger:
        """Every PUT of an earlier step may have been delivered: its chunk's end was recorded."""
        return cls(size, int(upload.get("held") or 0), int(upload.get("sent") or 0))

    def lost(self, last: int) -> None:
        """A PUT of bytes up to `last` got no answer: TikTok may hold them."""
        self.delivered = max(self.delivered, last + 1)

    @property
    def final_may_have_arrived(self) -> bool:
        """Once true, TikTok may be processing the video: the upload is never begun again."""
        return self.delivered >= self.size

    def believe(self, status: int, held: int, last: int) -> int:
        """What TikTok holds after answering `status` (`held` from its Content-Range, -1 without
        one) to this publisher's PUT of bytes up to `last`; `Tampered` if not all of it is ours."""
        took = status in (201, 206)
        if status == 201:
            held = self.size  # complete: TikTok holds every byte
        elif held < 0:
            held = last + 1 if took else self.confirmed
        ours = max(self.confirmed, self.delivered, last + 1 if took else 0)
        if held > ours:
            raise Tampered(f"TikTok holds {held} bytes; {ours} were sent by Gatepost")
        self.confirmed = held
        return held
