/*
 * layout_dump.c - prints the size and field offsets of every public struct of
 * bitswatch.h, one "STRUCT.FIELD OFFSET" or "STRUCT SIZE" line each, for the
 * C# layout test (test_binding.cs) to compare with Marshal.SizeOf/OffsetOf.
 * Built natively against the real header: native x86_64 == Windows x64 by
 * design, and the header asserts the x86 layout at compile time.
 */
#include <stddef.h>
#include <stdio.h>

#include "bitswatch.h"

#define SIZE(s) printf("%s %zu\n", #s, sizeof(s))
#define FIELD(s, f) printf("%s.%s %zu\n", #s, #f, offsetof(s, f))

int main(void)
{
    SIZE(BW_PROGRESS);
    FIELD(BW_PROGRESS, cbSize);
    FIELD(BW_PROGRESS, FilesTotal);
    FIELD(BW_PROGRESS, FilesTransferred);
    FIELD(BW_PROGRESS, Reserved);
    FIELD(BW_PROGRESS, BytesTotal);
    FIELD(BW_PROGRESS, BytesTransferred);

    SIZE(BW_REPLY_PROGRESS);
    FIELD(BW_REPLY_PROGRESS, cbSize);
    FIELD(BW_REPLY_PROGRESS, Reserved);
    FIELD(BW_REPLY_PROGRESS, BytesTotal);
    FIELD(BW_REPLY_PROGRESS, BytesTransferred);

    SIZE(BW_STATUS);
    FIELD(BW_STATUS, cbSize);
    FIELD(BW_STATUS, State);
    FIELD(BW_STATUS, Type);
    FIELD(BW_STATUS, Changed);
    FIELD(BW_STATUS, Sequence);
    FIELD(BW_STATUS, Timestamp);
    FIELD(BW_STATUS, BytesTotal);
    FIELD(BW_STATUS, BytesTransferred);
    FIELD(BW_STATUS, FilesTotal);
    FIELD(BW_STATUS, FilesTransferred);
    FIELD(BW_STATUS, ReplyBytesTotal);
    FIELD(BW_STATUS, ReplyBytesTransferred);
    FIELD(BW_STATUS, ErrorCode);
    FIELD(BW_STATUS, ErrorContext);
    FIELD(BW_STATUS, BytesPerSecond);
    FIELD(BW_STATUS, EtaSeconds);

    SIZE(BW_QUEUE_STATUS);
    FIELD(BW_QUEUE_STATUS, cbSize);
    FIELD(BW_QUEUE_STATUS, JobCount);
    FIELD(BW_QUEUE_STATUS, Added);
    FIELD(BW_QUEUE_STATUS, Removed);
    FIELD(BW_QUEUE_STATUS, Sequence);
    FIELD(BW_QUEUE_STATUS, Timestamp);

    SIZE(BW_ERROR);
    FIELD(BW_ERROR, cbSize);
    FIELD(BW_ERROR, ErrorCode);
    FIELD(BW_ERROR, Context);
    FIELD(BW_ERROR, Reserved);
    FIELD(BW_ERROR, Description);
    FIELD(BW_ERROR, ContextDescription);
    FIELD(BW_ERROR, RemoteName);
    FIELD(BW_ERROR, LocalName);
    FIELD(BW_ERROR, Protocol);

    SIZE(BW_INFO);
    FIELD(BW_INFO, cbSize);
    FIELD(BW_INFO, Type);
    FIELD(BW_INFO, JobId);
    FIELD(BW_INFO, Priority);
    FIELD(BW_INFO, ErrorCount);
    FIELD(BW_INFO, DisplayName);
    FIELD(BW_INFO, Description);
    FIELD(BW_INFO, Owner);
    FIELD(BW_INFO, CreationTime);
    FIELD(BW_INFO, ModificationTime);
    FIELD(BW_INFO, TransferCompletionTime);

    SIZE(GUID);
    return ferror(stdout) ? 1 : 0;
}
