"""Is a standalone master URL a Spark master? Said in seconds, before Spark is started.

Spark itself, given a ``spark://`` URL nobody answers at, retries for about a minute and
names no reason; given a port that answers but is not a master's RPC port (its web UI,
another service), it waits 70-80 s, then fails with a Java bridge error. Each host of the
URL gets one TCP connection and one request in Spark's RPC framing instead.
"""

from __future__ import annotations

import socket
import struct

from audit.engine.base import EngineUnavailable


def check_master(master: str | None) -> None:
    """A standalone master (spark://host:port[,host:port]) that does not answer, or a port
    that answers but is not a Spark master (its web UI, another service), is said in a few
    seconds; Spark itself retries for about a minute and then names no reason."""
    if not master or not master.startswith("spark://"):
        return
    reasons = []
    for hostport in master[len("spark://"):].split(","):
        host, _, port = hostport.rpartition(":")
        try:
            why = _not_spark_rpc(host or hostport, int(port or 7077))
        except (OSError, ValueError) as exc:
            reasons.append(f"{hostport}: {getattr(exc, 'strerror', None) or exc}")
            continue
        if why is None:
            return
        reasons.append(f"{hostport} answers but is not a Spark master: {why}")
    raise EngineUnavailable(f"cannot reach the Spark master at {master} ({'; '.join(reasons)}); "
                            "check --spark-master (a master's RPC port, 7077 by default, not "
                            "its web UI) and that the master runs")


# Spark's RPC frames: length (8 bytes, the frame's own included), type (1 byte), then the
# message; an RPC request carries its id (8 bytes) and its body's size (4 bytes).
_RPC_REQUEST, _RPC_RESPONSE, _RPC_FAILURE = 3, 4, 5
PROBE_SECONDS = 3.0


def _not_spark_rpc(host: str, port: int) -> str | None:
    """Why ``host:port`` is not a Spark RPC server, or None if it is (or may be).

    One RPC request with an empty body: Spark's RPC server answers it with a failure frame
    naming the same request id (it cannot decode the body; the master logs one warning). A
    web server answers HTTP, a silent service nothing. A server that closes the connection
    without a word may be a master that requires authentication first: Spark is left to
    try."""
    body = b"\0\0\0\0"
    message = struct.pack(">bqi", _RPC_REQUEST, 0x61756469, len(body)) + body
    with socket.create_connection((host, port), timeout=PROBE_SECONDS) as sock:
        sock.sendall(struct.pack(">q", 8 + len(message)) + message)
        reply = b""
        try:
            while len(reply) < 17:
                chunk = sock.recv(17 - len(reply))
                if not chunk:
                    break
                reply += chunk
        except TimeoutError:
            if not reply:
                return f"no reply to a Spark RPC request within {PROBE_SECONDS:g} s"
    if not reply:
        return None
    if len(reply) == 17:
        kind, request = struct.unpack(">bq", reply[8:17])
        if kind in (_RPC_RESPONSE, _RPC_FAILURE) and request == 0x61756469:
            return None
    text = reply.split(b"\r\n", 1)[0].decode("ascii", "replace")
    return ("it answered HTTP (a web UI?)" if text.startswith("HTTP/")
            else "its reply is not Spark's RPC")
