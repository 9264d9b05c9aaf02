import logging
from typing import Any

from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


def _partitions_after_migrate(sender: Any, using: str = "default", **kwargs: Any) -> None:
    """PostgreSQL: the change log has its partitions ahead as soon as the schema is in place (core.partitions)."""
    from django.db import OperationalError

    from core.partitions import ensure_partitions

    try:
        ensure_partitions(using=using)
    except OperationalError as exc:  # a long reader held the table past lock_timeout: the daily job tries again
        logging.getLogger("core.partitions").warning("change-log partitions not extended after migrate: %s", exc)


class CoreConfig(AppConfig):
    name = "core"
    verbose_name = _("平台核心")

    def ready(self) -> None:
        from core import tasks  # noqa: F401  (registers the hourly chain checkpoint)

        post_migrate.connect(_partitions_after_migrate, sender=self, dispatch_uid="core.partitions")
