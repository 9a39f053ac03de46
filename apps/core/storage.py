"""The static files' storage: whitenoise's, with each name's URL looked up once."""

from __future__ import annotations

from whitenoise.storage import CompressedManifestStaticFilesStorage


class StaticFilesStorage(CompressedManifestStaticFilesStorage):
    """Every page asks for the same few static URLs (the stylesheet, the scripts, the
    icon), and each ``{% static %}`` looked its name up in the manifest and joined the
    URL again. The manifest is read once per process and does not change while the
    process runs (a deploy starts new ones), so neither does a name's URL: it is kept
    after the first lookup. A name the manifest lacks still raises every time."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self._urls: dict[str, str] = {}

    def url(self, name, force=False):
        if force:
            return super().url(name, force=True)
        try:
            return self._urls[name]
        except KeyError:
            url = self._urls[name] = super().url(name)
            return url
