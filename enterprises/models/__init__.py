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
from enterprises.models.tally import EnterpriseTally, domain_key, key_domains

__all__ = ["Enterprise", "EnterpriseDomain", "EnterpriseQuerySet", "EnterpriseRow", "EnterpriseRowQuerySet",
           "EnterpriseScoped", "EnterpriseTally", "Licence", "copied_keys", "enterprise_row_scope_q", "rekey_enterprise_rows",
           "domain_key", "key_domains"]

from core.registry import register_path_model  # noqa: E402

register_path_model(Enterprise)
