"""Cloud Function entry points: decode the trigger, call a service, map the outcome."""
