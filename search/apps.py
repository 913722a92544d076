from django.apps import AppConfig


class SearchConfig(AppConfig):
    name = "search"
    verbose_name = "检索"

    def ready(self) -> None:
        from archive.signals import articles_imported
        from search.engines import configured_name
        from search.indexing import flush_index_queue_quietly

        # An engine the archive does not have stops every process at startup, with its name.
        configured_name()

        def flush_after_import(sender, **kwargs) -> None:
            flush_index_queue_quietly()

        articles_imported.connect(flush_after_import, weak=False, dispatch_uid="search-import")
