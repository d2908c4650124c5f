"""The web page (``/app``) and the room display (``/device``): plain HTML, CSS and scripts, no build step."""
