"""A Webex meetings API (``/v1/meetings``) for the meeting-provider path."""

from __future__ import annotations
