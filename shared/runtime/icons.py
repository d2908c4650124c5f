"""The service's icon, for the landing page and browsers' ``/favicon.ico``: a blue calendar.

Kept as Python (the SVG as text, the 32x32 ICO as base64) so it travels in the functions' text-only
source bundle like every other file of the package.
"""

from __future__ import annotations

import base64

SVG = (
    '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 32 32">'
    '<rect x="3" y="5" width="26" height="24" rx="2" fill="#1a73e8"/>'
    '<rect x="3" y="5" width="26" height="6" rx="2" fill="#0d47a1"/>'
    '<rect x="5" y="12" width="22" height="15" fill="#fff"/>'
    '<rect x="9" y="2" width="3" height="6" fill="#0d47a1"/>'
    '<rect x="20" y="2" width="3" height="6" fill="#0d47a1"/><g fill="#1a73e8">'
    '<rect x="8" y="15" width="4" height="4"/><rect x="14" y="15" width="4" height="4"/>'
    '<rect x="20" y="15" width="4" height="4"/><rect x="8" y="21" width="4" height="4"/>'
    '<rect x="14" y="21" width="4" height="4"/><rect x="20" y="21" width="4" height="4"/></g></svg>'
)

ICO = base64.b64decode(
    "AAABAAEAICAAAAEAIACPAAAAFgAAAIlQTkcNChoKAAAADUlIRFIAAAAgAAAAIAgGAAAAc3p69AAAAFZJREFUeNpjYBgFRABe94X/"
    "YZiaakcdQNAAWuABtZygI0YdMOoAqeIX/+mBCTqAVmDUAWQ5AD3+yBUfdcDQdcBoLhhNA6MOGJm5YMDaA/RwxGg/c9ABALG3LdJg"
    "Dns0AAAAAElFTkSuQmCC"
)
"""A 32x32 PNG-in-ICO of the same calendar."""
