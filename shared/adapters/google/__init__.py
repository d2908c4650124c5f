"""Google API adapters: the only code that speaks to Google."""
