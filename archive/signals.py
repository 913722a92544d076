"""Signals the archive sends for other apps to act on."""

from django.dispatch import Signal

# An import of one or more files has finished (its transactions are committed).
articles_imported = Signal()
