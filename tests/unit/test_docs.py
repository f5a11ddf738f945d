"""The documents a newcomer reads hold together: the README stays a front door (at most 10 kB),
and no link in a tracked Markdown file leaves the repository or names a file or heading that is
not there (a clone has nothing beside it)."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

ROOT = Path(__file__).parents[2]
README_LIMIT = 10_000  # bytes

FENCED = re.compile(r"^```.*?^```", re.DOTALL | re.MULTILINE)
INLINE = re.compile(r"!?\[[^\]]*\]\(\s*<?([^)\s>]+)>?(?:\s+\"[^\"]*\")?\s*\)")
REFERENCE = re.compile(r"^\s*\[[^\]]+\]:\s*<?(\S+?)>?(?:\s|$)", re.MULTILINE)
HEADING = re.compile(r"^#{1,6}\s+(.+?)\s*#*\s*$", re.MULTILINE)


def tracked_markdown(root: Path) -> list[Path]:
    listed = subprocess.run(
        ["git", "ls-files", "--cached", "--others", "--exclude-standard", "*.md"],
        cwd=root,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    return [root / name for name in listed if (root / name).exists()]


def targets(text: str) -> list[str]:
    """The link targets of a Markdown text, code blocks left out."""
    prose = FENCED.sub("", text)
    return INLINE.findall(prose) + REFERENCE.findall(prose)


def slug(heading: str) -> str:
    """GitHub's anchor of a heading."""
    words = re.sub(r"[`*_\[\]()]", "", heading).strip().lower()
    return re.sub(r"[^\w\- ]", "", words).replace(" ", "-")


def anchors(path: Path) -> set[str]:
    return {slug(h) for h in HEADING.findall(FENCED.sub("", path.read_text()))}


def broken_links(root: Path, files: list[Path]) -> list[str]:
    """Each link of `files` that leaves `root`, names nothing, or names a missing heading."""
    broken = []
    for page in files:
        for target in targets(page.read_text()):
            if re.match(r"^[a-z][a-z0-9+.-]*:", target):  # https:, mailto:
                continue
            name, _, anchor = target.partition("#")
            found = (page.parent / name).resolve() if name else page.resolve()
            where = f"{page.relative_to(root)}: {target}"
            if not found.is_relative_to(root.resolve()):
                broken.append(f"{where} (outside the repository)")
            elif not found.exists():
                broken.append(f"{where} (no such file)")
            elif anchor and found.suffix == ".md" and anchor not in anchors(found):
                broken.append(f"{where} (no such heading)")
    return broken


def test_no_link_leaves_the_repository_or_names_what_is_not_there() -> None:
    files = tracked_markdown(ROOT)
    assert ROOT / "README.md" in files and ROOT / "docs" / "architecture.md" in files
    assert broken_links(ROOT, files) == []


def test_the_link_check_finds_what_a_clone_would_miss(tmp_path: Path) -> None:
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "here.md").write_text("# Here\n\n## Who may do what\n")
    page = tmp_path / "README.md"
    page.write_text(
        "[ok](docs/here.md#who-may-do-what) [web](https://example.com) [self](#top)\n"
        "[out](../shared/ARCHITECTURE.md) [gone](docs/gone.md) [heading](docs/here.md#nowhere)\n"
        "```\n[in code](../ignored.md)\n```\n"
    )
    (tmp_path / "shared.md").write_text("[up](../outside.md)\n")
    found = broken_links(tmp_path, [page, tmp_path / "shared.md"])
    assert found == [
        "README.md: #top (no such heading)",
        "README.md: ../shared/ARCHITECTURE.md (outside the repository)",
        "README.md: docs/gone.md (no such file)",
        "README.md: docs/here.md#nowhere (no such heading)",
        "shared.md: ../outside.md (outside the repository)",
    ]


def test_the_readme_is_a_front_door() -> None:
    size = len((ROOT / "README.md").read_bytes())
    assert size <= README_LIMIT, f"README.md is {size} bytes: move detail into docs/"


def unnamed_modules(service: Path) -> list[str]:
    """The modules of a service its README's tables do not name (each is named as `file.py`)."""
    readme = (service / "README.md").read_text()
    package = next((service / "src").glob("gatepost_*"))
    return sorted(
        module.name
        for module in package.glob("*.py")
        if module.name not in {"__init__.py", "__main__.py"} and f"`{module.name}" not in readme
    )


def test_each_service_readme_places_every_module() -> None:
    """A newcomer finds a behaviour from a service's README ("where is…"): it stays whole as
    modules come and go."""
    services = sorted(p for p in (ROOT / "services").iterdir() if (p / "src").is_dir())
    assert services, "no services found"
    missing = {s.name: unnamed_modules(s) for s in services if unnamed_modules(s)}
    assert missing == {}
