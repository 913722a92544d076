"""Signals the archive sends for other apps to act on."""

from django.dispatch import Signal

# An import of one or more files has finished (its transactions are committed).
articles_imported = Signal()

# Keywords were linked to these articles in bulk (no post_save for each link): sent with
# article_ids, inside the transaction that linked them.
keywords_linked = Signal()
