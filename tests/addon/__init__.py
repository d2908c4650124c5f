"""The Google Calendar conferencing add-on: its Apps Script sources under Node and its manifest."""
