"""Journey, part 5: the store's information pages (help, after-sales, privacy, licence, ...)."""

from __future__ import annotations

from .bundle import Step
from .discovery import Found
from .session import INFO_KINDS, Crawl, NotFound

MAX_EXTRA_INFO = 3


async def info_pages(c: Crawl) -> None:
    """One step per info kind, from the best link seen (footer links score a little higher)."""
    visited: dict[str, str] = {}
    if c.page.url.rstrip("/") != c.start_url.rstrip("/"):
        try:
            await c.goto(c.start_url)
            await c.candidates()
        except Exception:  # noqa: BLE001 - the pool from earlier pages still serves
            pass
    for kind in INFO_KINDS:
        await c.step(kind, _info(c, kind, visited))
    await _other_footer_pages(c, visited)


def _info(c: Crawl, kind: str, visited: dict[str, str]):
    async def action(step: Step) -> None:
        found = await c.find(kind, links_only=True, use_pool=True)
        if found is None:
            raise NotFound(f"no {kind.replace('_', ' ')} link found")
        step.found_by, step.confidence = found.found_by, found.confidence
        url = found.url.split("#")[0]
        if url in visited:
            step.tags = [f"same_page_as:{visited[url]}"]
        await c.goto(found.url, step)
        visited.setdefault(url, step.id)
        await c.candidates()  # help pages link to more help pages: feed the pool

    return action


async def _other_footer_pages(c: Crawl, visited: dict[str, str]) -> None:
    """A few footer links no kind claimed, saved as `info` pages (bounded)."""
    home = c.state.get("home_cands") or []
    claimed = {f.url.split("#")[0] for f in c.pool.values()} | set(visited)
    extra: list[Found] = []
    for cand in home:
        url = cand.href.split("#")[0]
        if (
            cand.region == "footer"
            and url
            and c.same_site(url)
            and url not in claimed
            and url.rstrip("/") != c.start_url.rstrip("/")
        ):
            claimed.add(url)
            extra.append(Found("info", cand, 0.5, f"footer link '{cand.text[:30]}'"))
        if len(extra) >= MAX_EXTRA_INFO:
            break
    for found in extra:

        async def action(step: Step, found: Found = found) -> None:
            step.found_by, step.confidence = found.found_by, found.confidence
            await c.goto(found.url, step)

        await c.step("info", action)
