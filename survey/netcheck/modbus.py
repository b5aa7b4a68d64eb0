"""A Modbus TCP read of one holding register: the smallest request that shows a charger's
Modbus server answers (the register map itself is the maker's).

Written here rather than taken from a Modbus library: the check needs one 12-byte request and
the parse of its reply, which ``struct`` does without a dependency (as :mod:`survey.netcheck.sntp`
does for NTP). Frame layout from the MODBUS Messaging on TCP/IP Implementation Guide V1.0b
(section 3.1.3, the MBAP header) and the MODBUS Application Protocol Specification V1.1b3
(section 6.3, function 03 Read Holding Registers; section 7, exception responses).
"""

from __future__ import annotations

import socket
import struct
from dataclasses import dataclass

#: IANA "mbap" (Modbus Application Protocol), TCP 502.
MODBUS_TCP_PORT = 502
#: Application Protocol Specification section 6.3.
READ_HOLDING_REGISTERS = 0x03
#: Function code | 0x80 marks an exception response (section 7).
_EXCEPTION_BIT = 0x80
#: MBAP header: transaction id, protocol id (0 = Modbus), length of what follows, unit id.
_MBAP = struct.Struct(">HHHB")
#: Section 7's exception codes.
EXCEPTION_CODES = {
    0x01: "illegal function",
    0x02: "illegal data address",
    0x03: "illegal data value",
    0x04: "server device failure",
    0x05: "acknowledge",
    0x06: "server device busy",
    0x08: "memory parity error",
    0x0A: "gateway path unavailable",
    0x0B: "gateway target device failed to respond",
}
#: Exceptions a gateway gives for a unit id it cannot reach: the unit id is wrong, not the path.
GATEWAY_EXCEPTIONS = frozenset({0x0A, 0x0B})


class ModbusProtocolError(ValueError):
    """The peer answered, but not with a Modbus TCP reply to this request."""


@dataclass(frozen=True)
class ModbusReply:
    """``registers`` on success; ``exception_code`` (and no registers) when the server refused."""

    unit_id: int
    registers: tuple[int, ...] = ()
    exception_code: int | None = None

    @property
    def exception_text(self) -> str:
        return EXCEPTION_CODES.get(self.exception_code or 0, "unknown exception")


def build_read_request(transaction_id: int, unit_id: int, address: int, count: int = 1) -> bytes:
    """Read ``count`` (1-125) holding registers from ``address`` (0-65535, protocol address)."""
    if not 1 <= count <= 125:
        raise ValueError("a read of holding registers asks for 1 to 125 registers")
    pdu = struct.pack(">BHH", READ_HOLDING_REGISTERS, address, count)
    return _MBAP.pack(transaction_id, 0, len(pdu) + 1, unit_id) + pdu


def parse_reply(data: bytes, transaction_id: int, unit_id: int, count: int = 1) -> ModbusReply:
    """Check ``data`` (MBAP header and PDU) against the request and decode it."""
    if len(data) < _MBAP.size + 2:
        raise ModbusProtocolError(f"the reply is {len(data)} bytes, shorter than any Modbus TCP reply")
    tid, protocol, length, unit = _MBAP.unpack_from(data)
    if protocol != 0:
        raise ModbusProtocolError(f"protocol id {protocol} in the reply, Modbus uses 0")
    if tid != transaction_id:
        raise ModbusProtocolError(f"the reply answers transaction {tid}, not {transaction_id}")
    if length != len(data) - _MBAP.size + 1:
        raise ModbusProtocolError(f"the MBAP header announces {length - 1} PDU bytes, {len(data) - _MBAP.size} came")
    function = data[_MBAP.size]
    if function == READ_HOLDING_REGISTERS | _EXCEPTION_BIT:
        return ModbusReply(unit_id=unit, exception_code=data[_MBAP.size + 1])
    if function != READ_HOLDING_REGISTERS:
        raise ModbusProtocolError(f"function {function} in the reply to a read of holding registers (3)")
    byte_count = data[_MBAP.size + 1]
    values = data[_MBAP.size + 2 :]
    if byte_count != 2 * count or len(values) != byte_count:
        raise ModbusProtocolError(f"{len(values)} data bytes for {count} register(s)")
    return ModbusReply(unit_id=unit, registers=struct.unpack(f">{count}H", values))


def _receive(sock: socket.socket, size: int) -> bytes:
    data = b""
    while len(data) < size:
        chunk = sock.recv(size - len(data))
        if not chunk:
            raise ModbusProtocolError("the connection closed before a whole Modbus TCP reply arrived")
        data += chunk
    return data


def read_holding_registers(
    sock: socket.socket, unit_id: int, address: int, timeout_s: float, count: int = 1, transaction_id: int = 1
) -> ModbusReply:
    """One request/reply on the connected ``sock`` (left open for the caller to close).
    Raises ``OSError`` (timeout, reset) or :class:`ModbusProtocolError`."""
    sock.settimeout(timeout_s)
    sock.sendall(build_read_request(transaction_id, unit_id, address, count))
    header = _receive(sock, _MBAP.size)
    _tid, _protocol, length, _unit = _MBAP.unpack(header)
    if not 2 <= length <= 254:  # unit id + PDU of at most 253 bytes (Application Protocol section 4.1)
        raise ModbusProtocolError(f"the MBAP header announces {length} bytes: this is not Modbus TCP")
    return parse_reply(header + _receive(sock, length - 1), transaction_id, unit_id, count)
