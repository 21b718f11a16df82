"""Kernel captures whose story a capture reader cannot follow as it happened, and why.

A capture shows segments, not what happened around them: a segment dropped after tcpdump
saw it looks delivered, a timer or a crash that ends a connection sends nothing, a close in
SYN_SENT is silent. Tests that read states from the kernel captures leave these out, with
the reason; ``test_kernel.py`` compares the engine with every one of them by segments.
"""

# Kernel cases whose states a capture cannot show as the engine has them (the capture
# reader's replay would need to learn these; each is a known limit, not a wrong state)
CAPTURE_CANNOT_TELL = {
    "data_after_close": "the replay cannot tell close() from shutdown(): it moves the server "
    "to CLOSED when it sends its RST, the engine when the data it answers arrives",
    "close_in_syn_sent": "the client's close() in SYN_SENT sends nothing: a capture cannot "
    "see it, nor that the SYN,ACK it saw was lost before the client",
    "close_listener_in_syn_received": "the lost third ACK is in the capture and the listener's "
    "close() sends nothing: the replay takes the connection for open",
    "abort_in_fin_wait_1": "the replay takes a RST for exactly in sequence; this one is one past "
    "RCV.NXT and only earns a challenge ACK",
    "abort_in_last_ack": "the client's last ACK was lost after tcpdump saw it; the replay takes "
    "it for delivered",
    "rst_in_last_ack": "the client's last ACK was lost after tcpdump saw it",
    "rst_in_closing": "the client's FIN and ACK were lost after tcpdump saw them",
    "challenge_ack": "the injected SYN on the open connection starts a second connection in "
    "the reader",
}
# Kernel cases whose stories turn on something no capture shows: a timer that ends a
# connection silently, a host that forgets it, a segment lost after tcpdump saw it
_SILENT = "a connection ends silently ({}): nothing on the wire says when"
INVISIBLE = {
    "fin_wait_2_timeout": _SILENT.format("the FIN_WAIT_2 timer"),
    "give_up_in_closing": _SILENT.format("retransmissions given up"),
    "give_up_in_established": _SILENT.format("retransmissions given up"),
    "give_up_in_fin_wait_1": _SILENT.format("retransmissions given up"),
    "give_up_in_last_ack": _SILENT.format("retransmissions given up"),
    "give_up_in_syn_received": _SILENT.format("SYN,ACK retransmissions given up"),
    "give_up_in_syn_sent": _SILENT.format("SYN retransmissions given up"),
    "keepalive_finds_a_crashed_peer": _SILENT.format("the server's host crashed"),
    "keepalive_times_out": "every probe and the RST were lost after tcpdump saw them",
    "send_finds_a_crashed_peer": _SILENT.format("the server's host crashed"),
    "lost_third_ack": "the third ACK was lost after tcpdump saw it",
    "abort_in_syn_sent": "the SYN was lost after tcpdump saw it, and the abort sends nothing",
    "lost_fin_and_its_ack": "the server's ACK of the FIN was lost after tcpdump saw it",
    "syn_cookies_always": "a SYN cookie looks like any SYN,ACK: nothing says the server kept "
    "no SYN_RECEIVED",
    "syn_flood_with_cookies": "a SYN cookie looks like any SYN,ACK: nothing says the server "
    "kept no SYN_RECEIVED",
}
# Kernel cases the reader splits into more than one connection
CAPTURE_SPLITS = {"challenge_ack": CAPTURE_CANNOT_TELL["challenge_ack"]}
# ... rightly: a second connection from the same port after the first
_TWO = (
    "a second connection from the same port: the reader rightly reads two (test_kernel "
    "compares the engine with the whole story)"
)
TWO_CONNECTIONS = {"new_syn_into_time_wait": _TWO, "old_duplicate_and_blind_rst": _TWO}
INVISIBLE |= TWO_CONNECTIONS
