"""Serving the tutor to learners elsewhere: over SSH (``ssh.py``) and in a browser (``web.py``).

``keys.py`` reads who may log in and keeps the host key, ``limits.py`` holds the
server's limits, ``pty.py`` runs one tutor app on its own pseudo-terminal.
"""
