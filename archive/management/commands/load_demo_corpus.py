"""Import the bundled demo corpus, but only into an empty archive."""

from pathlib import Path

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand

from archive.models import Article

DEMO_CORPUS = Path(settings.BASE_DIR) / "fixtures" / "grassroots-party-organisations.txt"


class Command(BaseCommand):
    help = "文库为空时导入自带的示例文章（fixtures/）；已有文章时什么也不做。"

    def handle(self, *args, **options):
        if Article.objects.exists():
            self.stdout.write("文库已有文章，不导入示例。")
            return
        call_command("import_articles", str(DEMO_CORPUS), stdout=self.stdout, stderr=self.stderr)
