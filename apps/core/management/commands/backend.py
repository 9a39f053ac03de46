from django.conf import settings
from django.core.management.base import BaseCommand


def describe_backends() -> list[str]:
    database = settings.DATABASES["default"]
    if database["ENGINE"].endswith("postgresql"):
        db = f"PostgreSQL {database.get('HOST') or 'local socket'}:{database.get('PORT') or 5432}/{database['NAME']} (DATABASE_URL)"
    else:
        db = f"SQLite {database['NAME']} (embedded default; set DATABASE_URL for PostgreSQL)"
    if settings.REDIS_URL:
        cache = "Redis (REDIS_URL) cache; sessions in the database, read through Redis"
    else:
        cache = "local-memory cache, sessions in the database (embedded default; set REDIS_URL for Redis)"
    jobs = "in the database (django-tasks-db), run by `manage.py run_worker`"
    return [
        f"Database: {db}",
        f"Cache and sessions: {cache}",
        f"Background jobs: {jobs}",
        f"Debug: {settings.DEBUG}",
    ]


class Command(BaseCommand):
    help = "Print which database, cache and session backends this environment uses."

    def handle(self, *args, **options):
        for line in describe_backends():
            self.stdout.write(line)
