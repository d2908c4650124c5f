"""Cloud Functions source root: re-exports every entry point by name.

Cloud Functions loads ``main.py`` and looks up the configured entry point here.
"""

from __future__ import annotations

from functions.admin_api import admin_api
from functions.calendar_webhook import calendar_webhook
from functions.check_vacation import check_vacation
from functions.dispatch_join_buttons import dispatch_join_buttons
from functions.maintain_channels import maintain_channels
from functions.meetings_api import meetings_api
from functions.poll_vacations import poll_vacations
from functions.provision_user import provision_user
from functions.rewrite_join_details import rewrite_join_details
from functions.sync_calendar import sync_calendar

__all__ = [
    "admin_api",
    "calendar_webhook",
    "check_vacation",
    "dispatch_join_buttons",
    "maintain_channels",
    "meetings_api",
    "poll_vacations",
    "provision_user",
    "rewrite_join_details",
    "sync_calendar",
]
