from enterprises.models.base import (
    EnterpriseRow,
    EnterpriseRowQuerySet,
    EnterpriseScoped,
    copied_keys,
    enterprise_row_scope_q,
    rekey_enterprise_rows,
)
from enterprises.models.enterprise import Enterprise, EnterpriseDomain, EnterpriseQuerySet
from enterprises.models.licence import Licence

__all__ = ["Enterprise", "EnterpriseDomain", "EnterpriseQuerySet", "EnterpriseRow", "EnterpriseRowQuerySet",
           "EnterpriseScoped", "Licence", "copied_keys", "enterprise_row_scope_q", "rekey_enterprise_rows"]

from core.registry import register_path_model  # noqa: E402

register_path_model(Enterprise)
