/*
 * test_ffi.c - bitswatch.dll called the way a foreign-language runtime calls
 * it: LoadLibraryW by full path, GetProcAddress by the undecorated name for
 * every export, and every call through libffi's ffi_call with a call
 * interface (ffi_prep_cif) built from the prototypes in bitswatch.h. No
 * compiler-generated call to the DLL is made, so this checks the calling
 * convention (FFI_STDCALL on x86, the Win64 ABI on x64), argument and return
 * widths, and struct layouts as Python, Ruby, Lua or Java FFIs see them.
 *
 * Run as: test_ffi <bitswatch.dll> <bwjob.exe>, with BW_TEST_HTTP set to the
 * loopback server (tests/integration/http_server.py). The x86 build runs under
 * a Wine with 32-bit support (Debian 13's, tests/wine10) where the build has a
 * CROSSCOMPILING_EMULATOR; there test_stdcall_stack_balance also checks that
 * every export pops its own arguments (libffi alone would not notice).
 */
#include <windows.h>

#include <stdio.h>
#include <string.h>
#include <wchar.h>

#include <ffi.h>

#include "itest.h"

#if defined(__i386__) || defined(_M_IX86)
#define BW_FFI_ABI FFI_STDCALL
#else
#define BW_FFI_ABI FFI_DEFAULT_ABI
#endif

/* HRESULT is a 32-bit signed LONG, UINT32 unsigned; handles, structs by
 * pointer and strings are pointers. */
#define T_HR (&ffi_type_sint32)
#define T_U32 (&ffi_type_uint32)
#define T_PTR (&ffi_type_pointer)
#define T_VOID (&ffi_type_void)
#define T_U64 (&ffi_type_uint64)

enum {
    F_GetVersion,
    F_JobOpen,
    F_JobOpenById,
    F_JobClose,
    F_JobPoll,
    F_JobPollMany,
    F_JobGetProgress,
    F_JobGetReplyProgress,
    F_JobComplete,
    F_JobCancel,
    F_JobSuspend,
    F_JobResume,
    F_JobGetError,
    F_FreeError,
    F_JobGetInfo,
    F_FreeInfo,
    F_EnumJobs,
    F_FormatMessage,
    F_StateName,
    F_QueueOpen,
    F_QueuePoll,
    F_QueueGetJobs,
    F_QueueClose,
    F_StateFlags,
    F_TypeName,
    F_PriorityName,
    F_ContextName,
    F_CleanText,
    F_FormatBytes,
    F_FormatDuration,
    F_JobGetDetails,
    F_FreeDetails,
    F_JobDiagnose,
    F_FreeDiagnosis,
    F_VerdictName,
    F_COUNT
};

/* One export: its name in def/bitswatch.def and its prototype from the header. */
typedef struct ffi_export {
    const char *name;
    ffi_type *ret;
    unsigned nargs;
    ffi_type *args[6];
    void (*fn)(void);
    ffi_cif cif;
} ffi_export;

static ffi_export g_exports[F_COUNT] = {
    [F_GetVersion] = {"BwGetVersion", T_U32, 0, {0}},
    [F_JobOpen] = {"BwJobOpen", T_HR, 2, {T_PTR, T_PTR}},
    [F_JobOpenById] = {"BwJobOpenById", T_HR, 2, {T_PTR, T_PTR}},
    [F_JobClose] = {"BwJobClose", T_HR, 1, {T_PTR}},
    [F_JobPoll] = {"BwJobPoll", T_HR, 3, {T_PTR, T_U32, T_PTR}},
    [F_JobPollMany] = {"BwJobPollMany", T_HR, 6, {T_PTR, T_U32, T_U32, T_PTR, T_PTR, T_PTR}},
    [F_JobGetProgress] = {"BwJobGetProgress", T_HR, 2, {T_PTR, T_PTR}},
    [F_JobGetReplyProgress] = {"BwJobGetReplyProgress", T_HR, 2, {T_PTR, T_PTR}},
    [F_JobComplete] = {"BwJobComplete", T_HR, 1, {T_PTR}},
    [F_JobCancel] = {"BwJobCancel", T_HR, 1, {T_PTR}},
    [F_JobSuspend] = {"BwJobSuspend", T_HR, 1, {T_PTR}},
    [F_JobResume] = {"BwJobResume", T_HR, 1, {T_PTR}},
    [F_JobGetError] = {"BwJobGetError", T_HR, 2, {T_PTR, T_PTR}},
    [F_FreeError] = {"BwFreeError", T_VOID, 1, {T_PTR}},
    [F_JobGetInfo] = {"BwJobGetInfo", T_HR, 2, {T_PTR, T_PTR}},
    [F_FreeInfo] = {"BwFreeInfo", T_VOID, 1, {T_PTR}},
    [F_EnumJobs] = {"BwEnumJobs", T_HR, 4, {T_U32, T_PTR, T_U32, T_PTR}},
    [F_FormatMessage] = {"BwFormatMessage", T_HR, 4, {T_HR, T_PTR, T_U32, T_PTR}},
    [F_StateName] = {"BwStateName", T_PTR, 1, {T_U32}},
    [F_QueueOpen] = {"BwQueueOpen", T_HR, 2, {T_U32, T_PTR}},
    [F_QueuePoll] = {"BwQueuePoll", T_HR, 3, {T_PTR, T_U32, T_PTR}},
    [F_QueueGetJobs] = {"BwQueueGetJobs", T_HR, 4, {T_PTR, T_PTR, T_U32, T_PTR}},
    [F_QueueClose] = {"BwQueueClose", T_HR, 1, {T_PTR}},
    [F_StateFlags] = {"BwStateFlags", T_U32, 1, {T_U32}},
    [F_TypeName] = {"BwTypeName", T_PTR, 1, {T_U32}},
    [F_PriorityName] = {"BwPriorityName", T_PTR, 1, {T_U32}},
    [F_ContextName] = {"BwContextName", T_PTR, 1, {T_U32}},
    [F_CleanText] = {"BwCleanText", T_HR, 4, {T_PTR, T_PTR, T_U32, T_PTR}},
    [F_FormatBytes] = {"BwFormatBytes", T_HR, 4, {T_U64, T_PTR, T_U32, T_PTR}},
    [F_FormatDuration] = {"BwFormatDuration", T_HR, 4, {T_U64, T_PTR, T_U32, T_PTR}},
    [F_JobGetDetails] = {"BwJobGetDetails", T_HR, 2, {T_PTR, T_PTR}},
    [F_FreeDetails] = {"BwFreeDetails", T_VOID, 1, {T_PTR}},
    [F_JobDiagnose] = {"BwJobDiagnose", T_HR, 3, {T_PTR, T_U32, T_PTR}},
    [F_FreeDiagnosis] = {"BwFreeDiagnosis", T_VOID, 1, {T_PTR}},
    [F_VerdictName] = {"BwVerdictName", T_PTR, 1, {T_U32}},
};

#if defined(__i386__)
/* The stack words of export e's arguments (a UINT64 takes two). */
static unsigned arg_words(const ffi_export *e)
{
    unsigned w = 0;
    for (unsigned k = 0; k < e->nargs; k++)
        w += e->args[k] == T_U64 ? 2 : 1;
    return w;
}
#endif

/* The loaded DLL (full path from argv[1]); g_ready once every cif is prepared. */
static HMODULE g_dll;
static int g_ready;

#define require_cifs()                                                                \
    do {                                                                              \
        if (!g_ready)                                                                 \
            fail_msg("exports or call interfaces missing (see the first case)");     \
    } while (0)

/* Calls export f through libffi; args are pointers to the argument values.
 * The return value is widened to ffi_arg (libffi's rule for small integers). */
static ffi_arg call(int f, void **args)
{
    ffi_arg r = 0;
    ffi_call(&g_exports[f].cif, g_exports[f].fn, &r, args);
    return r;
}

static HRESULT call_hr(int f, void **args)
{
    return (HRESULT)(INT32)(UINT32)call(f, args);
}

static HRESULT ffi_close(BW_JOB job)
{
    void *a[] = {&job};
    return call_hr(F_JobClose, a);
}

static HRESULT ffi_poll(BW_JOB job, UINT32 timeout, BW_STATUS *st)
{
    void *a[] = {&job, &timeout, &st};
    memset(st, 0, sizeof *st);
    st->cbSize = sizeof *st;
    return call_hr(F_JobPoll, a);
}

/* Every export is found by its plain name and gets a call interface. */
static void test_every_export_has_a_cif(void **state)
{
    (void)state;
    for (int i = 0; i < F_COUNT; i++) {
        ffi_export *e = &g_exports[i];
        FARPROC p = GetProcAddress(g_dll, e->name);
        if (!p)
            fail_msg("GetProcAddress(%s) failed: %lu", e->name, GetLastError());
        e->fn = (void (*)(void))p;
        ffi_status s = ffi_prep_cif(&e->cif, BW_FFI_ABI, e->nargs, e->ret,
                                    e->nargs ? e->args : NULL);
        if (s != FFI_OK)
            fail_msg("ffi_prep_cif(%s) = %d", e->name, (int)s);
    }
    g_ready = 1;
}

static void test_version(void **state)
{
    UINT32 v = (UINT32)call(F_GetVersion, NULL);
    (void)state;
    require_cifs();
    print_message("BwGetVersion = 0x%06X (header 0x%06X)\n", (unsigned)v, (unsigned)BW_VERSION);
    assert_int_equal(v, BW_VERSION);
}

static void test_state_name(void **state)
{
    UINT32 s = BW_STATE_TRANSFERRED, bad = 1234;
    void *a[] = {&s};
    const WCHAR *name = (const WCHAR *)(uintptr_t)call(F_StateName, a);
    (void)state;
    require_cifs();
    assert_non_null(name);
    assert_true(wcscmp((const wchar_t *)name, L"Transferred") == 0);
    a[0] = &bad;
    name = (const WCHAR *)(uintptr_t)call(F_StateName, a);
    assert_true(wcscmp((const wchar_t *)name, L"Unknown") == 0);
}

/* A negative HRESULT in, text out, the size query and the short buffer. */
static void test_format_message(void **state)
{
    HRESULT code = (HRESULT)0x80190194L; /* HTTP 404 */
    WCHAR *buf = NULL, text[256];
    UINT32 cch = 0, needed = 0;
    void *a[] = {&code, &buf, &cch, &(UINT32 *){&needed}};
    HRESULT hr;
    (void)state;
    require_cifs();

    hr = call_hr(F_FormatMessage, a);
    assert_hr(HRESULT_FROM_WIN32(ERROR_INSUFFICIENT_BUFFER), hr);
    assert_true(needed > 1 && needed <= 256);

    buf = text;
    cch = 256;
    assert_hr(S_OK, call_hr(F_FormatMessage, a));
    print_message("BwFormatMessage(0x80190194) = \"%ls\"\n", (wchar_t *)text);
    assert_int_equal(wcslen((wchar_t *)text) + 1, needed);
    assert_non_null(wcsstr((wchar_t *)text, L"404"));

    code = BW_E_NOT_UPLOAD_REPLY;
    assert_hr(S_OK, call_hr(F_FormatMessage, a));
    assert_true(text[0] != 0);
}

/* Count first (NULL, 0), as a caller sizing its buffer does. */
static void test_enum_jobs(void **state)
{
    UINT32 flags = 0, cap = 0, count = 0xFFFFFFFFu;
    GUID *ids = NULL;
    UINT32 *pcount = &count;
    void *a[] = {&flags, &ids, &cap, &pcount};
    HRESULT hr;
    (void)state;
    require_cifs();
    itest_require_bits();

    hr = call_hr(F_EnumJobs, a);
    if (hr != S_OK && hr != HRESULT_FROM_WIN32(ERROR_MORE_DATA))
        assert_hr(S_OK, hr);
    assert_true(count != 0xFFFFFFFFu);
    flags = 0x80; /* unknown flag */
    assert_hr(E_INVALIDARG, call_hr(F_EnumJobs, a));
}

/* The queue through ffi_call: open, first poll (every job Added), the list,
 * close; then the closed handle. */
static void test_queue(void **state)
{
    UINT32 flags = 0, timeout = 0, cap = 0, count = 0xFFFFFFFFu;
    BW_QUEUE q = NULL;
    BW_QUEUE *pq = &q;
    BW_QUEUE_STATUS qs;
    BW_QUEUE_STATUS *pqs = &qs;
    GUID *ids = NULL;
    UINT32 *pcount = &count;
    (void)state;
    require_cifs();
    itest_require_bits();
    void *open_args[] = {&flags, &pq};
    assert_hr(S_OK, call_hr(F_QueueOpen, open_args));
    assert_non_null(q);
    memset(&qs, 0, sizeof qs);
    qs.cbSize = sizeof qs;
    void *poll_args[] = {&q, &timeout, &pqs};
    assert_hr(S_OK, call_hr(F_QueuePoll, poll_args));
    assert_int_equal(qs.Added, qs.JobCount);
    assert_int_equal(qs.Sequence, 1);
    void *get_args[] = {&q, &ids, &cap, &pcount};
    HRESULT hr = call_hr(F_QueueGetJobs, get_args);
    if (qs.JobCount)
        assert_hr(HRESULT_FROM_WIN32(ERROR_MORE_DATA), hr);
    else
        assert_hr(S_OK, hr);
    assert_int_equal(count, qs.JobCount);
    void *close_args[] = {&q};
    assert_hr(S_OK, call_hr(F_QueueClose, close_args));
    assert_hr(E_HANDLE, call_hr(F_QueueClose, close_args));
    assert_hr(E_HANDLE, call_hr(F_QueuePoll, poll_args));
    flags = 0x80;
    assert_hr(E_INVALIDARG, call_hr(F_QueueOpen, open_args));
}

/* The whole life of a real BITS job, every call through ffi_call. */
static void test_real_job(void **state)
{
    wchar_t guid[39];
    const WCHAR *id;
    BW_JOB job = NULL, job2 = NULL, nulljob = NULL;
    BW_JOB *pjob = &job;
    BW_STATUS st;
    BW_PROGRESS pr;
    BW_REPLY_PROGRESS rp;
    BW_ERROR er;
    BW_INFO info;
    HRESULT hr;
    (void)state;
    require_cifs();
    itest_require_bits();

    itest_create_job("/fast/65536", L"bw-ffi", guid, NULL);
    print_message("job %ls\n", guid);

    /* open by text */
    id = (const WCHAR *)guid;
    {
        void *a[] = {&id, &pjob};
        assert_hr(S_OK, call_hr(F_JobOpen, a));
    }
    assert_non_null(job);

    /* poll: the first one reports every group; then wait for TRANSFERRED */
    hr = ffi_poll(job, 0, &st);
    assert_hr(S_OK, hr);
    assert_int_equal(st.Changed, BW_CHANGED_ALL);
    assert_int_equal(st.Sequence, 1);
    assert_int_equal(st.Type, BW_TYPE_DOWNLOAD);
    for (uint64_t end = itest_now_ms() + 30000;
         st.State != BW_STATE_TRANSFERRED && itest_now_ms() < end;) {
        hr = ffi_poll(job, 500, &st);
        assert_succeeded(hr);
        assert_true(st.State != BW_STATE_ERROR);
    }
    assert_int_equal(st.State, BW_STATE_TRANSFERRED);
    assert_int_equal(st.BytesTransferred, 65536);
    assert_int_equal(st.FilesTotal, 1);
    assert_int_equal(st.FilesTransferred, 1);
    assert_int_equal(st.EtaSeconds, 0);
    assert_int_equal(st.ErrorCode, 0);
    /* nothing new on a finished job: S_FALSE at once */
    assert_hr(S_FALSE, ffi_poll(job, 5000, &st));
    assert_int_equal(st.Changed, 0);

    /* progress */
    {
        BW_PROGRESS *p = &pr;
        void *a[] = {&job, &p};
        memset(&pr, 0, sizeof pr);
        pr.cbSize = sizeof pr;
        assert_hr(S_OK, call_hr(F_JobGetProgress, a));
        assert_int_equal(pr.BytesTransferred, 65536);
        assert_int_equal(pr.FilesTransferred, 1);
        pr.cbSize = 3; /* a size no version ever had */
        assert_hr(E_INVALIDARG, call_hr(F_JobGetProgress, a));
    }

    /* reply progress of a download: not an upload-reply job */
    {
        BW_REPLY_PROGRESS *p = &rp;
        void *a[] = {&job, &p};
        memset(&rp, 0, sizeof rp);
        rp.cbSize = sizeof rp;
        assert_hr(BW_E_NOT_UPLOAD_REPLY, call_hr(F_JobGetReplyProgress, a));
    }

    /* error outside an error state, then free (harmless on a cleared struct) */
    {
        BW_ERROR *p = &er;
        void *a[] = {&job, &p};
        memset(&er, 0, sizeof er);
        er.cbSize = sizeof er;
        assert_hr(ITEST_BG_E_ERROR_INFORMATION_UNAVAILABLE, call_hr(F_JobGetError, a));
        assert_int_equal(er.cbSize, sizeof er);
        assert_null(er.Description);
        call(F_FreeError, a + 1);
    }

    /* info: the GUID comes back as the struct; strings freed by the library */
    {
        BW_INFO *p = &info;
        void *a[] = {&job, &p};
        memset(&info, 0, sizeof info);
        info.cbSize = sizeof info;
        assert_hr(S_OK, call_hr(F_JobGetInfo, a));
        assert_int_equal(info.Type, BW_TYPE_DOWNLOAD);
        assert_non_null(info.DisplayName);
        assert_true(wcscmp((wchar_t *)info.DisplayName, L"bw-ffi") == 0);
        call(F_FreeInfo, a + 1);
        assert_null(info.DisplayName);
    }

    /* open by GUID struct (from the info above): a second, independent handle */
    {
        GUID *g = &info.JobId;
        BW_JOB *pj2 = &job2;
        void *a[] = {&g, &pj2};
        assert_hr(S_OK, call_hr(F_JobOpenById, a));
        assert_non_null(job2);
        assert_true(job2 != job);
        assert_hr(S_OK, ffi_poll(job2, 0, &st)); /* its own first poll */
        assert_int_equal(st.State, BW_STATE_TRANSFERRED);
    }

    /* a set wait over both handles: both final with nothing new, so S_FALSE
     * at once; a NULL handle in the set fails its entry, not the call */
    {
        BW_JOB set[3] = {job, job2, NULL};
        BW_STATUS sts[3];
        HRESULT rs[3];
        UINT32 count = 2, timeout = 5000, changed = 99;
        BW_JOB *pset = set;
        BW_STATUS *psts = sts;
        HRESULT *prs = rs;
        UINT32 *pchanged = &changed;
        void *a[] = {&pset, &count, &timeout, &psts, &prs, &pchanged};
        memset(sts, 0, sizeof sts);
        for (int i = 0; i < 3; i++)
            sts[i].cbSize = sizeof sts[i];
        uint64_t t0 = itest_now_ms();
        assert_hr(S_FALSE, call_hr(F_JobPollMany, a));
        assert_true(itest_now_ms() - t0 < 2000);
        assert_int_equal(changed, 0);
        assert_hr(S_FALSE, rs[0]);
        assert_hr(S_FALSE, rs[1]);
        assert_int_equal(sts[0].State, BW_STATE_TRANSFERRED);
        assert_int_equal(sts[1].State, BW_STATE_TRANSFERRED);
        assert_int_equal(sts[1].BytesTransferred, 65536);
        count = 3;
        assert_hr(S_OK, call_hr(F_JobPollMany, a));
        assert_hr(E_HANDLE, rs[2]);
        assert_int_equal(changed, 0);
    }

    /* suspend/resume of a transferred job: whatever BITS says, no crash and
     * an HRESULT back (Wine: E_NOTIMPL / success; Windows: BG_E_INVALID_STATE) */
    {
        void *a[] = {&job};
        hr = call_hr(F_JobSuspend, a);
        print_message("BwJobSuspend on TRANSFERRED = 0x%08lX\n", (unsigned long)hr);
        hr = call_hr(F_JobResume, a);
        print_message("BwJobResume on TRANSFERRED = 0x%08lX\n", (unsigned long)hr);
        /* acknowledge: the job leaves the queue */
        assert_succeeded(call_hr(F_JobComplete, a));
        assert_hr(S_OK, ffi_poll(job, 0, &st));
        assert_int_equal(st.State, BW_STATE_ACKNOWLEDGED);
        /* cancelling an acknowledged job is refused */
        assert_true(FAILED(call_hr(F_JobCancel, a)));
    }

    /* close: S_OK, then E_HANDLE (stale), NULL is S_FALSE */
    assert_hr(S_OK, ffi_close(job2));
    assert_hr(S_OK, ffi_close(job));
    assert_hr(E_HANDLE, ffi_close(job));
    assert_hr(S_FALSE, ffi_close(nulljob));
    assert_hr(E_HANDLE, ffi_poll(job, 0, &st));
}

/* The presentation exports through ffi_call: the state model, the names,
 * and the three formatters with their buffer rules. */
static void test_presentation(void **state)
{
    UINT32 v = BW_STATE_TRANSFERRING, cch = 64, needed = 0, small = 4;
    UINT64 bytes = 41943040, secs = 2 * 86400 + 3 * 3600 + 4 * 60 + 5;
    WCHAR buf[64];
    WCHAR *bufp = buf, *nullp = NULL;
    UINT32 *neededp = &needed;
    const WCHAR hostile[] = L"\x1b[2Jname\x1b]0;t\x07\r\n\x202Eok";
    const WCHAR *hostilep = hostile;
    void *a1[] = {&v};
    (void)state;
    require_cifs();

    assert_int_equal((UINT32)call(F_StateFlags, a1), BW_STATE_FLAG_ACTIVE | BW_STATE_FLAG_TRANSFERRING);
    v = BW_TYPE_UPLOAD_REPLY;
    assert_true(!wcscmp((const WCHAR *)(uintptr_t)call(F_TypeName, a1), L"UploadReply"));
    v = BW_PRIORITY_UNKNOWN;
    assert_true(!wcscmp((const WCHAR *)(uintptr_t)call(F_PriorityName, a1), L"Unknown"));
    v = BW_CONTEXT_REMOTE_FILE;
    assert_true(!wcscmp((const WCHAR *)(uintptr_t)call(F_ContextName, a1), L"RemoteFile"));

    void *ab[] = {&bytes, &bufp, &cch, &neededp};
    assert_hr(S_OK, call_hr(F_FormatBytes, ab));
    assert_true(!wcscmp(buf, L"40.0 MB"));
    assert_int_equal(needed, 8);
    void *ad[] = {&secs, &bufp, &cch, &neededp};
    assert_hr(S_OK, call_hr(F_FormatDuration, ad));
    assert_true(!wcscmp(buf, L"2d 03:04:05"));
    void *ac[] = {&hostilep, &bufp, &cch, &neededp};
    assert_hr(S_OK, call_hr(F_CleanText, ac));
    assert_true(!wcscmp(buf, L"name ok"));
    void *asmall[] = {&bytes, &bufp, &small, &neededp};
    assert_hr(HRESULT_FROM_WIN32(ERROR_INSUFFICIENT_BUFFER), call_hr(F_FormatBytes, asmall));
    assert_true(!wcscmp(buf, L"40."));
    void *anull[] = {&bytes, &nullp, &small, &neededp};
    assert_hr(E_POINTER, call_hr(F_FormatBytes, anull));
}

/* stdcall on x86 is what BWAPI means; x64 has one calling convention. */

#if defined(__i386__)
/* libffi's x86 ffi_call restores ESP from its frame pointer after the call, so
 * a callee that pops the wrong number of bytes (a cdecl export where stdcall is
 * promised, or a stdcall one with a different argument size) goes unnoticed
 * through ffi_call: the calls above would pass. This probe measures it.
 *
 * UINT32 bw_stack_probe(void *fn, const UINT32 *args, UINT32 nargs, INT32 *delta)
 * (cdecl): pushes args[nargs-1] .. args[0], calls fn, stores in *delta how far
 * ESP moved across push + call (0: the callee popped exactly 4 * nargs bytes,
 * as __stdcall does; -4 * nargs: it popped nothing, as __cdecl does), puts ESP
 * back and returns EAX. */
__asm__(".text\n"
        ".globl _bw_stack_probe\n"
        "_bw_stack_probe:\n"
        "  pushl %ebp\n"
        "  movl %esp, %ebp\n"
        "  pushl %esi\n"
        "  pushl %edi\n"
        "  pushl %ebx\n"
        "  movl 16(%ebp), %ecx\n" /* nargs */
        "  movl 12(%ebp), %edx\n" /* args */
        "  movl %esp, %esi\n"     /* ESP before the pushes (ESI survives calls) */
        "1:\n"
        "  testl %ecx, %ecx\n"
        "  jz 2f\n"
        "  decl %ecx\n"
        "  pushl (%edx,%ecx,4)\n"
        "  jmp 1b\n"
        "2:\n"
        "  call *8(%ebp)\n"
        "  movl %esp, %ecx\n"
        "  subl %esi, %ecx\n"
        "  movl 20(%ebp), %edx\n"
        "  movl %ecx, (%edx)\n"
        "  movl %esi, %esp\n"     /* whatever the callee did */
        "  popl %ebx\n"
        "  popl %edi\n"
        "  popl %esi\n"
        "  popl %ebp\n"
        "  ret\n");
UINT32 bw_stack_probe(void *fn, const UINT32 *args, UINT32 nargs, INT32 *delta);

static UINT32 __cdecl probe_cdecl2(UINT32 a, UINT32 b) { return a + b; }
static UINT32 __stdcall probe_stdcall2(UINT32 a, UINT32 b) { return a * b; }

/* A zeroed out-struct big enough for any export's out-pointer. */
static union {
    BW_STATUS st;
    BW_PROGRESS pr;
    BW_REPLY_PROGRESS rp;
    BW_ERROR er;
    BW_INFO in;
    BW_QUEUE_STATUS qs;
    BW_DETAILS dt;
    BW_DIAGNOSIS dg;
    BW_JOB job;
    UINT32 count;
    char bytes[512];
} g_out;

/* The cbSize an export's out-struct needs (so a NULL handle gets E_HANDLE). */
static UINT32 out_size(int f)
{
    switch (f) {
    case F_JobGetProgress: return sizeof(BW_PROGRESS);
    case F_JobGetReplyProgress: return sizeof(BW_REPLY_PROGRESS);
    case F_JobGetError: case F_FreeError: return sizeof(BW_ERROR);
    case F_JobGetInfo: case F_FreeInfo: return sizeof(BW_INFO);
    case F_QueuePoll: return sizeof(BW_QUEUE_STATUS);
    case F_JobGetDetails: case F_FreeDetails: return sizeof(BW_DETAILS);
    case F_JobDiagnose: case F_FreeDiagnosis: return sizeof(BW_DIAGNOSIS);
    default: return sizeof(BW_STATUS);
    }
}

/* Every export called straight through the probe with harmless arguments
 * (NULL handles, NULL or bad inputs; the result is checked against the same
 * call through ffi_call): each must pop exactly its arguments, as __stdcall. */
static void test_stdcall_stack_balance(void **state)
{
    INT32 delta = 1;
    UINT32 two[2] = {20, 22}, r;
    (void)state;
    require_cifs();

    /* The probe itself: it tells the two conventions apart. */
    r = bw_stack_probe((void *)probe_cdecl2, two, 2, &delta);
    assert_int_equal(r, 42);
    assert_int_equal(delta, -8);
    r = bw_stack_probe((void *)probe_stdcall2, two, 2, &delta);
    assert_int_equal(r, 440);
    assert_int_equal(delta, 0);

    for (int i = 0; i < F_COUNT; i++) {
        ffi_export *e = &g_exports[i];
        UINT32 a[6] = {0}, fa[6];
        void *fargs[6];
        UINT32 via_probe, via_ffi;
        int probe_only = 0;

        /* Arguments: 0 (NULL handle, NULL pointers, flag 0) except where a
         * NULL would be a success that changes state; out-pointers where a
         * NULL-handle error must still be reached. */
        switch (i) {
        case F_JobPoll: a[2] = (UINT32)(uintptr_t)&g_out; break;
        case F_JobGetProgress: case F_JobGetReplyProgress:
        case F_JobGetError: case F_JobGetInfo: a[1] = (UINT32)(uintptr_t)&g_out; break;
        case F_FreeError: case F_FreeInfo: a[0] = (UINT32)(uintptr_t)&g_out; probe_only = 1; break;
        case F_EnumJobs: a[0] = 0x80; a[3] = (UINT32)(uintptr_t)&g_out; break; /* bad flag */
        case F_FormatMessage: a[0] = 0x80190194u; a[3] = (UINT32)(uintptr_t)&g_out; break;
        case F_StateName: a[0] = BW_STATE_TRANSFERRED; break;
        case F_QueueOpen: a[0] = 0x80; a[1] = (UINT32)(uintptr_t)&g_out; break; /* bad flag */
        case F_QueuePoll: a[2] = (UINT32)(uintptr_t)&g_out; break;
        case F_QueueGetJobs: a[3] = (UINT32)(uintptr_t)&g_out; break;
        case F_StateFlags: case F_TypeName: case F_PriorityName: case F_ContextName:
            a[0] = 2; break;
        case F_CleanText: a[3] = (UINT32)(uintptr_t)&g_out; break; /* NULL text: "" */
        case F_FormatBytes: case F_FormatDuration:
            a[0] = 4242; a[4] = (UINT32)(uintptr_t)&g_out; break; /* words: low, high, buf, cch, needed */
        case F_JobGetDetails: a[1] = (UINT32)(uintptr_t)&g_out; break;
        case F_JobDiagnose: a[2] = (UINT32)(uintptr_t)&g_out; break;
        case F_FreeDetails: case F_FreeDiagnosis: a[0] = (UINT32)(uintptr_t)&g_out; probe_only = 1; break;
        case F_VerdictName: a[0] = BW_VERDICT_STALLED; break;
        default: break;
        }
        memset(&g_out, 0, sizeof g_out);
        g_out.st.cbSize = out_size(i);
        delta = 1;
        unsigned words = arg_words(e);
        via_probe = bw_stack_probe((void *)e->fn, a, words, &delta);
        if (delta != 0)
            fail_msg("%s: ESP moved by %d bytes across the call: the callee popped %d bytes,"
                     " __stdcall pops %u (its %u arguments)",
                     e->name, (int)delta, (int)(4 * words) + (int)delta, 4 * words,
                     e->nargs);
        if (probe_only || e->ret == T_VOID)
            continue;
        memcpy(fa, a, sizeof fa);
        for (unsigned k = 0, w = 0; k < e->nargs; w += e->args[k] == T_U64 ? 2 : 1, k++)
            fargs[k] = &fa[w]; /* a UINT64 is its two words, low first */
        memset(&g_out, 0, sizeof g_out);
        g_out.st.cbSize = out_size(i);
        via_ffi = (UINT32)call(i, fargs);
        if (via_ffi != via_probe)
            fail_msg("%s: 0x%08lX through the probe, 0x%08lX through ffi_call", e->name,
                     (unsigned long)via_probe, (unsigned long)via_ffi);
        print_message("%s: balanced, 0x%08lX\n", e->name, (unsigned long)via_probe);
    }
}
#else
static void test_stdcall_stack_balance(void **state)
{
    (void)state;
    skip(); /* x64 has one calling convention: the caller owns the stack */
}
#endif

/* The library fills no more of an out-struct than the caller's cbSize, and
 * the fields are where this header puts them: a caller built from the header
 * (its sizeof, its offsets) reads a real transferred job's status and progress
 * with guard bytes after each struct. A layout difference between the DLL and
 * the header shows as a wrong value or a smashed guard. */
static void test_struct_bounds(void **state)
{
    struct {
        BW_STATUS st;
        unsigned char guard[32];
    } gs;
    struct {
        BW_PROGRESS pr;
        unsigned char guard[32];
    } gp;
    wchar_t guid[39];
    const WCHAR *id = (const WCHAR *)guid;
    BW_JOB job = NULL;
    BW_JOB *pjob = &job;
    BW_STATUS *ps = &gs.st;
    BW_PROGRESS *pp = &gp.pr;
    UINT32 wait = 1000;
    (void)state;
    require_cifs();
    itest_require_bits();

    itest_create_job("/fast/4099", L"bw-ffi-layout", guid, NULL);
    {
        void *a[] = {&id, &pjob};
        assert_hr(S_OK, call_hr(F_JobOpen, a));
    }
    for (uint64_t end = itest_now_ms() + 30000;;) {
        void *a[] = {&job, &wait, &ps};
        memset(&gs, 0xA5, sizeof gs);
        gs.st.cbSize = sizeof gs.st;
        assert_succeeded(call_hr(F_JobPoll, a));
        for (size_t k = 0; k < sizeof gs.guard; k++)
            if (gs.guard[k] != 0xA5)
                fail_msg("byte %u after BW_STATUS (%u bytes) was written", (unsigned)k,
                         (unsigned)sizeof gs.st);
        assert_int_equal(gs.st.cbSize, sizeof gs.st);
        assert_int_equal(gs.st.Type, BW_TYPE_DOWNLOAD);
        assert_true(gs.st.State <= BW_STATE_CANCELLED);
        assert_true(gs.st.State != BW_STATE_ERROR);
        if (gs.st.State == BW_STATE_TRANSFERRED || itest_now_ms() > end)
            break;
    }
    assert_int_equal(gs.st.State, BW_STATE_TRANSFERRED);
    assert_int_equal(gs.st.BytesTransferred, 4099);
    assert_int_equal(gs.st.FilesTotal, 1);
    assert_int_equal(gs.st.FilesTransferred, 1);
    assert_int_equal(gs.st.ErrorCode, 0);
    assert_int_equal(gs.st.ErrorContext, 0);
    assert_int_equal(gs.st.EtaSeconds, 0);
    assert_int_equal(gs.st.ReplyBytesTotal, BW_SIZE_UNKNOWN);
    assert_true(gs.st.Timestamp > 116444736000000000ull); /* after 1970 as FILETIME */
    {
        void *a[] = {&job, &pp};
        memset(&gp, 0xA5, sizeof gp);
        gp.pr.cbSize = sizeof gp.pr;
        assert_hr(S_OK, call_hr(F_JobGetProgress, a));
        for (size_t k = 0; k < sizeof gp.guard; k++)
            if (gp.guard[k] != 0xA5)
                fail_msg("byte %u after BW_PROGRESS (%u bytes) was written", (unsigned)k,
                         (unsigned)sizeof gp.pr);
        assert_int_equal(gp.pr.BytesTransferred, 4099);
        assert_int_equal(gp.pr.FilesTotal, 1);
        assert_int_equal(gp.pr.FilesTransferred, 1);
    }
    {
        void *a[] = {&job};
        assert_succeeded(call_hr(F_JobComplete, a));
    }
    assert_hr(S_OK, ffi_close(job));
}

/* Bad input through the FFI: E_POINTER / E_INVALIDARG, not a crash. */
static void test_bad_arguments(void **state)
{
    const WCHAR *bad = (const WCHAR *)L"not-a-guid";
    const WCHAR *nullid = NULL;
    BW_JOB job = (BW_JOB)(uintptr_t)0x1234;
    BW_JOB *pjob = &job;
    (void)state;
    require_cifs();
    {
        void *a[] = {&bad, &pjob};
        assert_hr(E_INVALIDARG, call_hr(F_JobOpen, a));
        assert_null(job);
    }
    {
        void *a[] = {&nullid, &pjob};
        assert_hr(E_POINTER, call_hr(F_JobOpen, a));
    }
}

int wmain(int argc, wchar_t **argv)
{
    wchar_t full[MAX_PATH];
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_every_export_has_a_cif),
        cmocka_unit_test(test_version),
        cmocka_unit_test(test_state_name),
        cmocka_unit_test(test_format_message),
        cmocka_unit_test(test_bad_arguments),
        cmocka_unit_test(test_stdcall_stack_balance),
        cmocka_unit_test(test_struct_bounds),
        cmocka_unit_test(test_enum_jobs),
        cmocka_unit_test(test_queue),
        cmocka_unit_test(test_presentation),
        cmocka_unit_test(test_real_job),
    };

    /* itest_load checks the arguments and sets up bwjob and BW_TEST_HTTP. */
    if (!itest_load(argc, argv))
        return 2;
    if (!GetFullPathNameW(argv[1], MAX_PATH, full, NULL) || !(g_dll = LoadLibraryW(full))) {
        fprintf(stderr, "test_ffi: LoadLibraryW(%ls) failed: %lu\n", argv[1], GetLastError());
        return 2;
    }
    return cmocka_run_group_tests(tests, NULL, NULL);
}
