"""Live mode: a scenario played on this machine's own kernel and compared with the engine.

Linux only. ``run_live(scenario)`` runs the engine, plays the scenario with real
sockets on loopback (``player``: the steps, ``wire``: how segments cross,
``kstate``: the kernel's states, ``capture``: segments on ``lo``, ``firewall`` and
``nfqueue``: loss and holding, ``guardian``: cleanup after a kill), re-says the
run as an engine ``Trace`` (``ktrace``) and compares the two (``compare``, with
the known differences of ``engine.linux``). ``words`` says it all in English and
Chinese; ``report`` prints it for the command line. No Textual here: the app's
screen (``app/screens/live.py``) only draws the result.
"""

from .session import LiveResult, LiveSettings, run_live
from .system import not_linux

__all__ = ["LiveResult", "LiveSettings", "not_linux", "run_live"]
