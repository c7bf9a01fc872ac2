/*
 * struct_size.c - the published sizes of every public struct, and compile-time
 * proof that the layouts are identical on x86 and x64 (and in the native build).
 *
 * When a version appends fields, add its new size to the list; the old sizes
 * stay accepted and fill only their prefix.
 */
#include <string.h>

#include "bw_core.h"

#define BW_ASSERT_LAYOUT(expr) _Static_assert(expr, #expr)

BW_ASSERT_LAYOUT(sizeof(BW_PROGRESS) == 32);
BW_ASSERT_LAYOUT(offsetof(BW_PROGRESS, FilesTotal) == 4);
BW_ASSERT_LAYOUT(offsetof(BW_PROGRESS, FilesTransferred) == 8);
BW_ASSERT_LAYOUT(offsetof(BW_PROGRESS, BytesTotal) == 16);
BW_ASSERT_LAYOUT(offsetof(BW_PROGRESS, BytesTransferred) == 24);

BW_ASSERT_LAYOUT(sizeof(BW_REPLY_PROGRESS) == 24);
BW_ASSERT_LAYOUT(offsetof(BW_REPLY_PROGRESS, BytesTotal) == 8);
BW_ASSERT_LAYOUT(offsetof(BW_REPLY_PROGRESS, BytesTransferred) == 16);

BW_ASSERT_LAYOUT(sizeof(BW_STATUS) == 96);
BW_ASSERT_LAYOUT(offsetof(BW_STATUS, State) == 4);
BW_ASSERT_LAYOUT(offsetof(BW_STATUS, Type) == 8);
BW_ASSERT_LAYOUT(offsetof(BW_STATUS, Changed) == 12);
BW_ASSERT_LAYOUT(offsetof(BW_STATUS, Sequence) == 16);
BW_ASSERT_LAYOUT(offsetof(BW_STATUS, Timestamp) == 24);
BW_ASSERT_LAYOUT(offsetof(BW_STATUS, BytesTotal) == 32);
BW_ASSERT_LAYOUT(offsetof(BW_STATUS, BytesTransferred) == 40);
BW_ASSERT_LAYOUT(offsetof(BW_STATUS, FilesTotal) == 48);
BW_ASSERT_LAYOUT(offsetof(BW_STATUS, FilesTransferred) == 52);
BW_ASSERT_LAYOUT(offsetof(BW_STATUS, ReplyBytesTotal) == 56);
BW_ASSERT_LAYOUT(offsetof(BW_STATUS, ReplyBytesTransferred) == 64);
BW_ASSERT_LAYOUT(offsetof(BW_STATUS, ErrorCode) == 72);
BW_ASSERT_LAYOUT(offsetof(BW_STATUS, ErrorContext) == 76);
BW_ASSERT_LAYOUT(offsetof(BW_STATUS, BytesPerSecond) == 80);
BW_ASSERT_LAYOUT(offsetof(BW_STATUS, EtaSeconds) == 88);

/* Pointers are padded to 8 bytes on x86 (BW_PTR_PAD). */
BW_ASSERT_LAYOUT(sizeof(BW_ERROR) == 56);
BW_ASSERT_LAYOUT(offsetof(BW_ERROR, ErrorCode) == 4);
BW_ASSERT_LAYOUT(offsetof(BW_ERROR, Context) == 8);
BW_ASSERT_LAYOUT(offsetof(BW_ERROR, Description) == 16);
BW_ASSERT_LAYOUT(offsetof(BW_ERROR, ContextDescription) == 24);
BW_ASSERT_LAYOUT(offsetof(BW_ERROR, RemoteName) == 32);
BW_ASSERT_LAYOUT(offsetof(BW_ERROR, LocalName) == 40);
BW_ASSERT_LAYOUT(offsetof(BW_ERROR, Protocol) == 48);

BW_ASSERT_LAYOUT(sizeof(BW_INFO) == 80);
BW_ASSERT_LAYOUT(offsetof(BW_INFO, Type) == 4);
BW_ASSERT_LAYOUT(offsetof(BW_INFO, JobId) == 8);
BW_ASSERT_LAYOUT(offsetof(BW_INFO, Priority) == 24);
BW_ASSERT_LAYOUT(offsetof(BW_INFO, ErrorCount) == 28);
BW_ASSERT_LAYOUT(offsetof(BW_INFO, DisplayName) == 32);
BW_ASSERT_LAYOUT(offsetof(BW_INFO, Description) == 40);
BW_ASSERT_LAYOUT(offsetof(BW_INFO, Owner) == 48);
BW_ASSERT_LAYOUT(offsetof(BW_INFO, CreationTime) == 56);
BW_ASSERT_LAYOUT(offsetof(BW_INFO, ModificationTime) == 64);
BW_ASSERT_LAYOUT(offsetof(BW_INFO, TransferCompletionTime) == 72);

BW_ASSERT_LAYOUT(sizeof(BW_QUEUE_STATUS) == 32);
BW_ASSERT_LAYOUT(offsetof(BW_QUEUE_STATUS, JobCount) == 4);
BW_ASSERT_LAYOUT(offsetof(BW_QUEUE_STATUS, Added) == 8);
BW_ASSERT_LAYOUT(offsetof(BW_QUEUE_STATUS, Removed) == 12);
BW_ASSERT_LAYOUT(offsetof(BW_QUEUE_STATUS, Sequence) == 16);
BW_ASSERT_LAYOUT(offsetof(BW_QUEUE_STATUS, Timestamp) == 24);

BW_ASSERT_LAYOUT(sizeof(GUID) == 16);

/* Version 0.3: details and diagnosis. */
BW_ASSERT_LAYOUT(sizeof(BW_FILE) == 40);
BW_ASSERT_LAYOUT(offsetof(BW_FILE, BytesTransferred) == 8);
BW_ASSERT_LAYOUT(offsetof(BW_FILE, Completed) == 16);
BW_ASSERT_LAYOUT(offsetof(BW_FILE, RemoteName) == 24);
BW_ASSERT_LAYOUT(offsetof(BW_FILE, LocalName) == 32);
BW_ASSERT_LAYOUT(sizeof(BW_DETAILS) == 56);
BW_ASSERT_LAYOUT(offsetof(BW_DETAILS, Known) == 4);
BW_ASSERT_LAYOUT(offsetof(BW_DETAILS, MinimumRetryDelay) == 8);
BW_ASSERT_LAYOUT(offsetof(BW_DETAILS, NoProgressTimeout) == 12);
BW_ASSERT_LAYOUT(offsetof(BW_DETAILS, ProxyUsage) == 16);
BW_ASSERT_LAYOUT(offsetof(BW_DETAILS, CostFlags) == 20);
BW_ASSERT_LAYOUT(offsetof(BW_DETAILS, FileCount) == 24);
BW_ASSERT_LAYOUT(offsetof(BW_DETAILS, ProxyList) == 32);
BW_ASSERT_LAYOUT(offsetof(BW_DETAILS, ProxyBypassList) == 40);
BW_ASSERT_LAYOUT(offsetof(BW_DETAILS, Files) == 48);
BW_ASSERT_LAYOUT(sizeof(BW_DIAGNOSIS) == 72);
BW_ASSERT_LAYOUT(offsetof(BW_DIAGNOSIS, Verdict) == 4);
BW_ASSERT_LAYOUT(offsetof(BW_DIAGNOSIS, State) == 8);
BW_ASSERT_LAYOUT(offsetof(BW_DIAGNOSIS, RoundTrips) == 12);
BW_ASSERT_LAYOUT(offsetof(BW_DIAGNOSIS, Timestamp) == 16);
BW_ASSERT_LAYOUT(offsetof(BW_DIAGNOSIS, Since) == 24);
BW_ASSERT_LAYOUT(offsetof(BW_DIAGNOSIS, Due) == 32);
BW_ASSERT_LAYOUT(offsetof(BW_DIAGNOSIS, ErrorCode) == 40);
BW_ASSERT_LAYOUT(offsetof(BW_DIAGNOSIS, ErrorContext) == 44);
BW_ASSERT_LAYOUT(offsetof(BW_DIAGNOSIS, Explanation) == 48);
BW_ASSERT_LAYOUT(offsetof(BW_DIAGNOSIS, Evidence) == 56);
BW_ASSERT_LAYOUT(offsetof(BW_DIAGNOSIS, Action) == 64);

static int size_in(UINT32 cb, const UINT32 *sizes, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (cb == sizes[i])
            return 1;
    return 0;
}

#define BW_SIZES(...) (const UINT32[]){__VA_ARGS__}, sizeof((const UINT32[]){__VA_ARGS__}) / sizeof(UINT32)

int bw__status_size_ok(UINT32 cb) { return size_in(cb, BW_SIZES(sizeof(BW_STATUS) /* 0.1 */)); }
int bw__queue_status_size_ok(UINT32 cb) { return size_in(cb, BW_SIZES(sizeof(BW_QUEUE_STATUS) /* 0.2 */)); }
int bw__progress_size_ok(UINT32 cb) { return size_in(cb, BW_SIZES(sizeof(BW_PROGRESS) /* 0.1 */)); }
int bw__reply_progress_size_ok(UINT32 cb) { return size_in(cb, BW_SIZES(sizeof(BW_REPLY_PROGRESS) /* 0.1 */)); }
int bw__error_size_ok(UINT32 cb) { return size_in(cb, BW_SIZES(sizeof(BW_ERROR) /* 0.1 */)); }
int bw__info_size_ok(UINT32 cb) { return size_in(cb, BW_SIZES(sizeof(BW_INFO) /* 0.1 */)); }
int bw__details_size_ok(UINT32 cb) { return size_in(cb, BW_SIZES(sizeof(BW_DETAILS) /* 0.3 */)); }
int bw__diagnosis_size_ok(UINT32 cb) { return size_in(cb, BW_SIZES(sizeof(BW_DIAGNOSIS) /* 0.3 */)); }

HRESULT bw__out_struct_begin(void *out, int (*size_ok)(UINT32 cb), UINT32 *cb)
{
    if (!out)
        return E_POINTER;
    memcpy(cb, out, sizeof *cb); /* every public struct starts with cbSize */
    if (!size_ok(*cb))
        return E_INVALIDARG;
    memset((char *)out + sizeof *cb, 0, *cb - sizeof *cb);
    return S_OK;
}
