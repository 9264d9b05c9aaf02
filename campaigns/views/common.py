from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest

from campaigns.models import Campaign
from campaigns.services import is_office_for
from core.scoping import get_visible_or_404


def visible_campaign(request: HttpRequest, pk: int) -> Campaign:
    return get_visible_or_404(Campaign.objects.select_related("office_unit", "jurisdiction"), request.user, pk=pk)


def office_campaign(request: HttpRequest, pk: int) -> Campaign:
    campaign = visible_campaign(request, pk)
    if not is_office_for(request.user, campaign):
        raise PermissionDenied
    return campaign


def querystring(**params: Any) -> str:
    from urllib.parse import urlencode

    return "?" + urlencode({k: v for k, v in params.items() if v not in (None, "")})


def writable(user: Any, campaign: Campaign) -> bool:
    """The office may change the campaign's rows: pages show write buttons only then (an archived campaign is
    read-only history)."""
    return is_office_for(user, campaign) and not campaign.is_archived
