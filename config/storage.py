"""Static files storage: hashed and compressed by collectstatic, plain names until it has run."""

from __future__ import annotations

import logging

from whitenoise.storage import CompressedManifestStaticFilesStorage

log = logging.getLogger("wencui.static")


class StaticFilesStorage(CompressedManifestStaticFilesStorage):
    """WhiteNoise's storage, which does not fail every page when STATIC_ROOT has no manifest.

    Upstream, `{% static %}` raises for a name missing from the manifest: without a manifest,
    that is every name, so every page is a 500. Here a missing manifest means plain names
    (WhiteNoise then serves the source files, see WHITENOISE_USE_FINDERS in settings) and one
    warning. Once a manifest exists, a name missing from it is an error as upstream.
    """

    manifest_missing = False
    warned = False

    def read_manifest(self) -> str | None:
        content = super().read_manifest()
        self.manifest_missing = content is None
        return content

    def save_manifest(self) -> None:
        super().save_manifest()
        self.manifest_missing = False

    def stored_name(self, name: str) -> str:
        if not self.manifest_missing:
            return super().stored_name(name)
        if not self.warned:
            self.warned = True
            log.warning(
                "no static files manifest (%s): pages link to unhashed file names; "
                "run `manage.py collectstatic`",
                self.manifest_storage.path(self.manifest_name),
            )
        return name
