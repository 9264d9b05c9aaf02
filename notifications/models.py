"""In-app notifications (站内消息). E-mail copies are sent when configured; the row is the record."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.scoping import Scope, ScopedQuerySet
from notifications.choices import Kind


class NotificationQuerySet(ScopedQuerySet):
    def visible_to(self, user: object) -> NotificationQuerySet:
        # A notification is private to its recipient, whatever the recipient's scope.
        if user is None or not getattr(user, "is_authenticated", False) or not getattr(user, "is_active", False):
            return self.none()
        return self.filter(recipient=user)

    def unread(self) -> NotificationQuerySet:
        return self.filter(read_at__isnull=True)


class Notification(models.Model):
    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications",
                                  verbose_name=_("接收人"))
    title = models.CharField(max_length=200, verbose_name=_("标题"))
    body = models.TextField(blank=True, verbose_name=_("内容"))
    url = models.CharField(max_length=500, blank=True, verbose_name=_("链接"))
    kind = models.CharField(max_length=16, choices=Kind.choices, default=Kind.INFO, verbose_name=_("类别"))
    source_key = models.CharField(max_length=60, blank=True, verbose_name=_("来源"))
    object_type = models.CharField(max_length=60, blank=True)
    object_id = models.CharField(max_length=64, blank=True)
    dedupe_key = models.CharField(max_length=200, blank=True)
    item_count = models.PositiveIntegerField(default=0, verbose_name=_("事项数"),
                                             help_text=_("汇总消息（每日摘要）所含的事项数"))
    breakdown = models.JSONField(default=dict, blank=True, verbose_name=_("分类汇总"))
    created_at = models.DateTimeField(default=timezone.now, verbose_name=_("时间"))
    read_at = models.DateTimeField(null=True, blank=True, verbose_name=_("已读时间"))

    objects = NotificationQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("消息")
        verbose_name_plural = _("消息")
        indexes = [models.Index(fields=["recipient", "read_at", "created_at"], name="notif_inbox")]
        constraints = [models.UniqueConstraint(fields=["recipient", "dedupe_key"], condition=~Q(dedupe_key=""),
                                               name="notif_unique_dedupe")]

    def __str__(self) -> str:
        return self.title

    @property
    def is_read(self) -> bool:
        return self.read_at is not None

    @classmethod
    def scope_q(cls, scope: Scope) -> Q:  # unused: visible_to is by recipient
        return Q(pk__in=[])
