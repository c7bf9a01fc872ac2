#!/usr/bin/env python3
"""watch_job.py - print a BITS job's live status until it finishes, through
ctypes into bitswatch.dll (Windows; the DLL must match Python's architecture).

    python watch_job.py <job GUID> [path of bitswatch.dll]
"""
import ctypes
import sys
from ctypes import POINTER, Structure, byref, c_double, c_int32, c_int64, c_uint32, c_uint64, c_void_p, c_wchar_p

SIZE_UNKNOWN = 0xFFFFFFFFFFFFFFFF
TRANSFERRED, ACKNOWLEDGED, ERROR, CANCELLED = 6, 7, 4, 8


class BW_STATUS(Structure):
    """bitswatch.h's BW_STATUS (identical on x86 and x64)."""
    _fields_ = [
        ("cbSize", c_uint32), ("State", c_uint32), ("Type", c_uint32), ("Changed", c_uint32),
        ("Sequence", c_uint64), ("Timestamp", c_uint64),
        ("BytesTotal", c_uint64), ("BytesTransferred", c_uint64),
        ("FilesTotal", c_uint32), ("FilesTransferred", c_uint32),
        ("ReplyBytesTotal", c_uint64), ("ReplyBytesTransferred", c_uint64),
        ("ErrorCode", c_int32), ("ErrorContext", c_uint32),
        ("BytesPerSecond", c_double), ("EtaSeconds", c_int64),
    ]


def load(path):
    # WinDLL: __stdcall (BWAPI) on x86; the one convention on x64.
    dll = ctypes.WinDLL(path)
    # HRESULTs as plain c_int32: ctypes' HRESULT restype raises OSError on a
    # failure, and S_FALSE (1, "nothing changed") must stay apart from S_OK.
    for name, res, args in [
        ("BwGetVersion", c_uint32, []),
        ("BwJobOpen", c_int32, [c_wchar_p, POINTER(c_void_p)]),
        ("BwJobPoll", c_int32, [c_void_p, c_uint32, POINTER(BW_STATUS)]),
        ("BwJobClose", c_int32, [c_void_p]),
        ("BwFormatMessage", c_int32, [c_int32, ctypes.c_wchar_p, c_uint32, POINTER(c_uint32)]),
        ("BwStateName", c_wchar_p, [c_uint32]),
    ]:
        fn = getattr(dll, name)
        fn.restype, fn.argtypes = res, args
    return dll


def message(dll, hr):
    buf = ctypes.create_unicode_buffer(512)
    dll.BwFormatMessage(hr, buf, len(buf), None)
    return buf.value


def main(argv):
    if len(argv) < 2:
        print("usage: watch_job.py <job GUID> [bitswatch.dll]", file=sys.stderr)
        return 2
    dll = load(argv[2] if len(argv) > 2 else "bitswatch.dll")
    v = dll.BwGetVersion()
    print("bitswatch %d.%d.%d" % (v >> 16, (v >> 8) & 0xFF, v & 0xFF))

    job = c_void_p()
    hr = dll.BwJobOpen(argv[1], byref(job))
    rc = 1
    try:
        while hr >= 0:
            st = BW_STATUS(cbSize=ctypes.sizeof(BW_STATUS))
            hr = dll.BwJobPoll(job, 1000, byref(st))  # waits up to 1 s for a change
            if hr < 0:
                break
            if hr == 0:  # S_FALSE (1): nothing changed
                total = "?" if st.BytesTotal == SIZE_UNKNOWN else st.BytesTotal
                line = "%-14s %d / %s bytes, %d/%d files" % (
                    dll.BwStateName(st.State), st.BytesTransferred, total,
                    st.FilesTransferred, st.FilesTotal)
                if st.BytesPerSecond > 0:
                    line += ", %.0f B/s" % st.BytesPerSecond
                if st.EtaSeconds >= 0:
                    line += ", ETA %ds" % st.EtaSeconds
                if st.ErrorCode:
                    line += ", error 0x%08X: %s" % (st.ErrorCode & 0xFFFFFFFF, message(dll, st.ErrorCode))
                print(line, flush=True)
            if st.State in (TRANSFERRED, ACKNOWLEDGED):
                rc = 0
                break
            if st.State in (ERROR, CANCELLED):
                break
        if hr < 0:
            print("0x%08X: %s" % (hr & 0xFFFFFFFF, message(dll, hr)), file=sys.stderr)
    finally:
        dll.BwJobClose(job)  # NULL is fine
    return rc


if __name__ == "__main__":
    sys.exit(main(sys.argv))
