import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "anzhi.settings")
application = get_wsgi_application()

# Refuse to start (in Chinese, saying what to run) rather than answer every page with a 500.
from core.startup import refuse_without_static_files  # noqa: E402 - needs the settings loaded above

refuse_without_static_files()
