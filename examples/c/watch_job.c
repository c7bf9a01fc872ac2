/*
 * watch_job.c - print a BITS job's live status until it finishes, calling
 * bitswatch.dll through LoadLibrary + GetProcAddress (no import library).
 *
 *   watch_job <job GUID> [path of bitswatch.dll]
 *
 * Build (mingw-w64): x86_64-w64-mingw32-gcc -municode -I<include> watch_job.c -o watch_job.exe
 * Exit code: 0 transferred/acknowledged, 1 error/cancelled, 2 bad use or load failure.
 */
#include <windows.h>
#include <stdio.h>

#include "bitswatch.h"

typedef UINT32(BWAPI *PFN_GetVersion)(void);
typedef HRESULT(BWAPI *PFN_JobOpen)(const WCHAR *, BW_JOB *);
typedef HRESULT(BWAPI *PFN_JobPoll)(BW_JOB, UINT32, BW_STATUS *);
typedef HRESULT(BWAPI *PFN_JobClose)(BW_JOB);
typedef HRESULT(BWAPI *PFN_FormatMessage)(HRESULT, WCHAR *, UINT32, UINT32 *);
typedef const WCHAR *(BWAPI *PFN_StateName)(UINT32);

/* GetProcAddress returns FARPROC; go through void(*)(void) to any other type. */
#define LOAD(type, name) ((type)(void (*)(void))GetProcAddress(dll, name))

int wmain(int argc, wchar_t **argv)
{
    HMODULE dll;
    PFN_GetVersion GetVersion;
    PFN_JobOpen JobOpen;
    PFN_JobPoll JobPoll;
    PFN_JobClose JobClose;
    PFN_FormatMessage FormatMsg;
    PFN_StateName StateName;
    BW_JOB job = NULL;
    BW_STATUS st;
    WCHAR text[512];
    HRESULT hr;
    int rc = 1;

    if (argc < 2) {
        fwprintf(stderr, L"usage: watch_job <job GUID> [bitswatch.dll]\n");
        return 2;
    }
    dll = LoadLibraryW(argc > 2 ? argv[2] : L"bitswatch.dll");
    if (!dll) {
        fwprintf(stderr, L"cannot load bitswatch.dll: error %lu\n", GetLastError());
        return 2;
    }
    GetVersion = LOAD(PFN_GetVersion, "BwGetVersion");
    JobOpen = LOAD(PFN_JobOpen, "BwJobOpen");
    JobPoll = LOAD(PFN_JobPoll, "BwJobPoll");
    JobClose = LOAD(PFN_JobClose, "BwJobClose");
    FormatMsg = LOAD(PFN_FormatMessage, "BwFormatMessage");
    StateName = LOAD(PFN_StateName, "BwStateName");
    if (!GetVersion || !JobOpen || !JobPoll || !JobClose || !FormatMsg || !StateName) {
        fwprintf(stderr, L"bitswatch.dll lacks an export\n");
        return 2;
    }
    if ((GetVersion() >> 8) != (BW_VERSION >> 8))
        fwprintf(stderr, L"warning: DLL version 0x%06X, built against 0x%06X\n",
                 (unsigned)GetVersion(), (unsigned)BW_VERSION);

    hr = JobOpen(argv[1], &job);
    while (SUCCEEDED(hr)) {
        ZeroMemory(&st, sizeof st);
        st.cbSize = sizeof st;                       /* the version of the struct we know */
        hr = JobPoll(job, 1000, &st);                /* waits up to 1 s for a change */
        if (FAILED(hr))
            break;
        if (hr == S_OK) {                            /* S_FALSE: nothing changed */
            wprintf(L"%-14ls %llu", StateName(st.State), st.BytesTransferred);
            if (st.BytesTotal != BW_SIZE_UNKNOWN)
                wprintf(L" / %llu", st.BytesTotal);
            wprintf(L" bytes, %u/%u files", st.FilesTransferred, st.FilesTotal);
            if (st.BytesPerSecond > 0)
                wprintf(L", %.0f B/s", st.BytesPerSecond);
            if (st.EtaSeconds >= 0)
                wprintf(L", ETA %llds", st.EtaSeconds);
            if (st.ErrorCode && SUCCEEDED(FormatMsg(st.ErrorCode, text, 512, NULL)))
                wprintf(L", error 0x%08lX: %ls", (unsigned long)st.ErrorCode, text);
            wprintf(L"\n");
            fflush(stdout);
        }
        if (st.State == BW_STATE_TRANSFERRED || st.State == BW_STATE_ACKNOWLEDGED) {
            rc = 0;
            break;
        }
        if (st.State == BW_STATE_ERROR || st.State == BW_STATE_CANCELLED)
            break;
    }
    if (FAILED(hr)) {
        FormatMsg(hr, text, 512, NULL);
        fwprintf(stderr, L"0x%08lX: %ls\n", (unsigned long)hr, text);
    }
    JobClose(job);                                   /* NULL is fine */
    return rc;
}
