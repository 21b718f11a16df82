"""Linux's TCP settings (``net.ipv4.*`` sysctls) that the engine follows, and its timeouts.

RFC 9293 leaves how long to keep retransmitting, how long FIN-WAIT-2 may last and when
to probe an idle connection to the implementation. The engine does what Linux does with
these settings; a scenario may change them (``[sysctl]``), as the recordings in
``tests/kernel`` did in a network namespace to finish in seconds instead of minutes.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

INITIAL_RTO = 1.0  # RFC 6298 (2.1); Linux's TCP_TIMEOUT_INIT: the SYN's and SYN,ACK's RTO
MIN_RTO = 0.2  # Linux's TCP_RTO_MIN: the base of its time limits once the connection is open
MAX_RTO = 120.0  # Linux's TCP_RTO_MAX


@dataclass(frozen=True)
class Sysctl:
    """The settings, named and defaulting as Linux's (see ``man 7 tcp``)."""

    tcp_syn_retries: int = 6
    tcp_synack_retries: int = 5
    tcp_retries2: int = 15
    tcp_orphan_retries: int = 0  # 0: 8 (Linux's "some safe number")
    # Linux 6.5 and later resend the first 4 SYNs 1 s apart before backing off; 0 keeps the
    # exponential back-off of RFC 6298 (and of Linux before 6.5)
    tcp_syn_linear_timeouts: int = 0
    tcp_fin_timeout: float = 60.0
    tcp_keepalive_time: float = 7200.0
    tcp_keepalive_intvl: float = 75.0
    tcp_keepalive_probes: int = 9
    tcp_syncookies: int = 1  # 0 never, 1 when the SYN queue overflows, 2 always

    @property
    def orphan_retries(self) -> int:
        return self.tcp_orphan_retries or 8


def give_up_after(retries: int, rto_base: float) -> float:
    """Linux's ``tcp_model_timeout``: how long ``retries`` retransmissions would take with
    an RTO starting at ``rto_base``, doubling up to ``MAX_RTO``. Linux gives up when this
    much time has passed since the first retransmission, however many it really sent."""
    linear_from = int(math.log2(MAX_RTO / rto_base))
    if retries <= linear_from:
        return ((2 << retries) - 1) * rto_base
    return ((2 << linear_from) - 1) * rto_base + (retries - linear_from) * MAX_RTO
