import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "baro.settings")

application = get_wsgi_application()

# The digest of the code and templates this process runs, read as it starts rather than
# at its first page: rendered fragments are cached under it (apps/core/pages.py), so
# files changed on disk after the start must not name what this process renders.
from apps.core.pages import release  # noqa: E402

release()
