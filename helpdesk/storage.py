"""Static files in production: WhiteNoise's compressed, hashed-name storage, with each URL worked out once.

``{% static %}`` asks the storage for a URL on every use (a page uses five): the manifest lookup, URL
quoting and joining cost tens of microseconds each time, and the answer cannot change while the process
runs (the manifest is read at start-up; a new deployment is a new process).
"""

from __future__ import annotations

from whitenoise.storage import CompressedManifestStaticFilesStorage


class StaticStorage(CompressedManifestStaticFilesStorage):
    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self._urls: dict[str, str] = {}

    def url(self, name: str | None, force: bool = False) -> str:
        if force or name is None:
            return super().url(name, force)
        found = self._urls.get(name)
        if found is None:
            found = self._urls[name] = super().url(name)
        return found
