"""Site profiles: optional YAML that pins what discovery could not find on its own.

Schema and example: docs/site-profile.md. Every key is optional; an empty profile changes
nothing. A pinned URL or selector wins over discovery and is recorded as found_by "profile".
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import yaml


class ProfileError(ValueError):
    """The profile file is not valid; the message names the file and the key."""


@dataclass
class Pin:
    """A profile's pin for one step or control: a URL to open and/or a selector to use."""

    url: str = ""
    selector: str = ""
    skip: bool = False
    # A recorded click path to replay, as found_by writes it: "click 'Cart' icon in header →
    # link 'View cart'". For what has no URL of its own (a mini-cart drawer, a menu's link).
    via: str = ""


@dataclass
class LoginPins:
    url: str = ""
    user_field: str = ""
    password_field: str = ""
    submit: str = ""
    success: str = ""  # a selector that is present only when logged in


@dataclass
class SiteProfile:
    path: str = ""
    name: str = ""
    test_store: bool = False
    language: str = ""
    storage_state: str = ""
    login: LoginPins = field(default_factory=LoginPins)
    steps: dict[str, Pin] = field(default_factory=dict)
    search_query: str = ""
    products: list[str] = field(default_factory=list)  # product URLs to visit first

    def pin(self, name: str) -> Pin | None:
        return self.steps.get(name)


_TOP_KEYS = {
    "name",
    "test_store",
    "language",
    "storage_state",
    "login",
    "steps",
    "search_query",
    "products",
}


def load_profile(path: Path | str | None) -> SiteProfile:
    """Read a profile; None gives the empty profile. Relative storage_state is beside the file."""
    if path is None:
        return SiteProfile()
    path = Path(path)
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except (OSError, yaml.YAMLError) as exc:
        raise ProfileError(f"{path}: cannot read profile: {exc}") from exc
    if not isinstance(data, dict):
        raise ProfileError(f"{path}: a profile is a mapping of keys, not {type(data).__name__}")
    unknown = sorted(set(data) - _TOP_KEYS)
    if unknown:
        raise ProfileError(f"{path}: unknown key(s) {', '.join(unknown)}")
    steps: dict[str, Pin] = {}
    for name, value in (data.get("steps") or {}).items():
        if isinstance(value, str):
            value = {"url": value}
        if not isinstance(value, dict):
            raise ProfileError(f"{path}: steps.{name} must be a URL or a mapping")
        extra = set(value) - {"url", "selector", "skip", "via"}
        if extra:
            raise ProfileError(f"{path}: steps.{name}: unknown key(s) {', '.join(sorted(extra))}")
        steps[str(name)] = Pin(
            str(value.get("url") or ""),
            str(value.get("selector") or ""),
            bool(value.get("skip", False)),
            str(value.get("via") or ""),
        )
    login = data.get("login") or {}
    if not isinstance(login, dict):
        raise ProfileError(f"{path}: login must be a mapping")
    storage = str(data.get("storage_state") or "")
    if storage and not Path(storage).is_absolute():
        storage = str((path.parent / storage).resolve())
    return SiteProfile(
        path=str(path),
        name=str(data.get("name") or ""),
        test_store=bool(data.get("test_store", False)),
        language=str(data.get("language") or ""),
        storage_state=storage,
        login=LoginPins(
            **{k: str(v) for k, v in login.items() if k in LoginPins.__dataclass_fields__}
        ),
        steps=steps,
        search_query=str(data.get("search_query") or ""),
        products=[str(u) for u in data.get("products") or []],
    )
