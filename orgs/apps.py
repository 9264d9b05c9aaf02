from typing import Any

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OrgsConfig(AppConfig):
    name = "orgs"
    verbose_name = _("组织机构")

    def ready(self) -> None:
        from django.db.models import Q

        from accounts.choices import GOVERNMENT_ROLES
        from core.bootstrap import register_loader
        from core.navigation import register_nav
        from core.pickers import register_picker
        from orgs.choices import UnitKind
        from orgs.models import Jurisdiction, Unit

        # Directories short in a county and long in a province: a field offering them is asked for as one types
        # once it has more than core.pickers.WHOLE choices (matched to the field by its query).
        def by_name(qs: Any, text: str) -> Any:
            return qs.filter(Q(name__icontains=text) | Q(code__startswith=text))

        register_picker("jurisdictions", Jurisdiction, search=by_name, order=("path",), directory=True)

        def own_territory(qs: Any, user: Any) -> Any:
            from core.scoping import scope_for

            scope = scope_for(user)
            q = Q(pk__in=[])
            for path in [*scope.territories, *(g.path for g in scope.domain_grants)]:
                q |= Q(path__startswith=path)
            return qs.filter(q)

        # A form's territory field (enterprises.forms, campaigns.forms, checks.forms: ask_when_long).
        register_picker("territory", Jurisdiction, search=by_name, order=("path",), for_user=own_territory)
        register_picker("townships", Jurisdiction, search=by_name, order=("path",), directory=True,
                        narrow=lambda qs: qs.filter(depth=1))

        def unit_source(key: str, **narrow: Any) -> None:
            register_picker(key, Unit, search=lambda qs, text: qs.filter(name__icontains=text), order=("sort", "name"),
                            directory=True, narrow=lambda qs: qs.filter(**narrow))

        # The unit fields of the forms and filters, by the choices they offer.
        unit_source("units")
        unit_source("departments", kind=UnitKind.DEPARTMENT)
        unit_source("active_departments", kind=UnitKind.DEPARTMENT, active=True)
        unit_source("active_units", active=True)
        unit_source("named_units", collective=False)
        unit_source("working_units", active=True, collective=False)
        # The unit a plan names an enterprise as, not yet linked (enterprises.forms: ask_when_long).
        register_picker("free_enterprise_units", Unit, search=lambda qs, text: qs.filter(name__icontains=text),
                        order=("sort", "name"), narrow=lambda qs: qs.filter(kind=UnitKind.ENTERPRISE, collective=False,
                                                                             active=True, enterprise__isnull=True))

        register_loader("load_orgs", order=10)
        register_loader("load_boundaries", order=12)

        register_nav(_("组织机构"), "orgs:structure", order=90, roles=GOVERNMENT_ROLES)
