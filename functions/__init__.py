"""Cloud Function entry points: decode the trigger, call a service, map the outcome."""

import sys

# httpx's own command-line client (``httpx._main``) imports click, rich and pygments whenever they are
# installed (they are: the CLI ships in the same package), and ``import httpx`` loads it. No function
# runs that client, so it is refused here: httpx then installs its stub and the CLI libraries stay out.
sys.modules.setdefault("httpx._main", None)  # type: ignore[arg-type]
