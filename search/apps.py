from django.apps import AppConfig


class SearchConfig(AppConfig):
    name = "search"
    verbose_name = "检索"

    def ready(self) -> None:
        from archive.signals import articles_imported
        from search.indexing import flush_index_queue_quietly

        def flush_after_import(sender, **kwargs) -> None:
            flush_index_queue_quietly()

        articles_imported.connect(flush_after_import, weak=False, dispatch_uid="search-import")
