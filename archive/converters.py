"""Path converters of the archive's addresses."""

from __future__ import annotations


class NameConverter:
    """A publication's or keyword's name: any text, "/" included, as Django's `path` takes it,
    but no character a database cannot store. No name holds one, so such an address is a
    404, rather than a lookup that PostgreSQL refuses (NUL) with an error."""

    regex = "[^\x00\ud800-\udfff]+"

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return value
