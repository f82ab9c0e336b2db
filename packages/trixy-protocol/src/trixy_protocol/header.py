"""Fixed layout of the TRXI frame header (all integers big-endian).

| offset | size | field                                   |
|--------|------|-----------------------------------------|
| 0      | 4    | magic ``TRXI``                          |
| 4      | 4    | version major (uint32)                  |
| 8      | 4    | version minor (uint32)                  |
| 12     | 4    | version revision (uint32)               |
| 16     | 8    | timestamp, int64 microseconds, UTC      |
| 24     | 4    | options (flags, uint32)                 |
| 28     | 16   | MD5 of the payload exactly as on wire   |
| 44     | 4    | class-name length N (uint32)            |
| 48     | N    | class name, UTF-8                       |
| 48+N   | 4    | payload length L (uint32)               |
| 52+N   | L    | payload                                 |
"""

from __future__ import annotations

import struct
import time

MAGIC = b"TRXI"
#: Magic of the one short command that does not start with TRXI.
HELO_MAGIC = b"TRXY"

#: (major, minor, revision) written into every frame; a different major is rejected.
PROTOCOL_VERSION: tuple[int, int, int] = (1, 0, 0)

#: magic, major, minor, revision, timestamp_us, flags, md5, class-name length
FIXED_HEADER = struct.Struct(">4sIIIqI16sI")
FIXED_HEADER_SIZE = FIXED_HEADER.size  # 48
LENGTH = struct.Struct(">I")
#: message id, part index, part count at the start of each multipart part payload
PART_HEADER = struct.Struct(">III")
PART_HEADER_SIZE = PART_HEADER.size  # 12

#: Longest class name accepted; a longer one means a corrupt stream (not recoverable).
MAX_CLASS_NAME_LENGTH = 256

#: the class name starts right after the fixed header; its uint32 payload length follows it
CLASS_NAME_OFFSET = FIXED_HEADER_SIZE
#: the smallest complete frame: fixed header, empty class name, payload length
MIN_FRAME_SIZE = FIXED_HEADER_SIZE + LENGTH.size
#: every short command is 8 bytes (PRNT adds a uint32 length and its text)
SHORT_SIZE = 8
#: a PRNT short command: 8 bytes, then its uint32 text length
PRINT_HEADER_SIZE = SHORT_SIZE + LENGTH.size

assert FIXED_HEADER_SIZE == 48


def now_us() -> int:
    """Current time as int64 microseconds since the Unix epoch (UTC), as written in headers."""
    return time.time_ns() // 1000
