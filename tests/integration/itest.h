/*
 * itest.h - what the integration tests share: bitswatch.dll loaded at run time
 * by full path (LoadLibraryW + GetProcAddress by undecorated name, as P/Invoke
 * and FFIs do), bwjob.exe run as another process to make real BITS jobs, the
 * loopback server's URL, and HRESULT assertions that print hex and say "BITS
 * died" when the service went away.
 *
 * Every test executable is run as: <test> <path of bitswatch.dll> <path of
 * bwjob.exe>, with BW_TEST_HTTP=http://127.0.0.1:<port> in the environment
 * (tests/integration/http_server.py).
 */
#ifndef BW_ITEST_H
#define BW_ITEST_H

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "bitswatch.h"

/* Function pointer types, one per export, from the header's prototypes. */
typedef UINT32(BWAPI *PFN_BwGetVersion)(void);
typedef HRESULT(BWAPI *PFN_BwJobOpen)(const WCHAR *jobId, BW_JOB *job);
typedef HRESULT(BWAPI *PFN_BwJobOpenById)(const GUID *jobId, BW_JOB *job);
typedef HRESULT(BWAPI *PFN_BwJobClose)(BW_JOB job);
typedef HRESULT(BWAPI *PFN_BwJobPoll)(BW_JOB job, UINT32 timeoutMs, BW_STATUS *status);
typedef HRESULT(BWAPI *PFN_BwJobGetProgress)(BW_JOB job, BW_PROGRESS *progress);
typedef HRESULT(BWAPI *PFN_BwJobGetReplyProgress)(BW_JOB job, BW_REPLY_PROGRESS *progress);
typedef HRESULT(BWAPI *PFN_BwJobComplete)(BW_JOB job);
typedef HRESULT(BWAPI *PFN_BwJobCancel)(BW_JOB job);
typedef HRESULT(BWAPI *PFN_BwJobSuspend)(BW_JOB job);
typedef HRESULT(BWAPI *PFN_BwJobResume)(BW_JOB job);
typedef HRESULT(BWAPI *PFN_BwJobGetError)(BW_JOB job, BW_ERROR *error);
typedef void(BWAPI *PFN_BwFreeError)(BW_ERROR *error);
typedef HRESULT(BWAPI *PFN_BwJobGetInfo)(BW_JOB job, BW_INFO *info);
typedef void(BWAPI *PFN_BwFreeInfo)(BW_INFO *info);
typedef HRESULT(BWAPI *PFN_BwEnumJobs)(UINT32 flags, GUID *ids, UINT32 capacity, UINT32 *count);
typedef HRESULT(BWAPI *PFN_BwFormatMessage)(HRESULT hr, WCHAR *buffer, UINT32 cch, UINT32 *needed);
typedef const WCHAR *(BWAPI *PFN_BwStateName)(UINT32 state);

/* The exports, filled by itest_load. */
typedef struct itest_api {
    PFN_BwGetVersion GetVersion;
    PFN_BwJobOpen JobOpen;
    PFN_BwJobOpenById JobOpenById;
    PFN_BwJobClose JobClose;
    PFN_BwJobPoll JobPoll;
    PFN_BwJobGetProgress JobGetProgress;
    PFN_BwJobGetReplyProgress JobGetReplyProgress;
    PFN_BwJobComplete JobComplete;
    PFN_BwJobCancel JobCancel;
    PFN_BwJobSuspend JobSuspend;
    PFN_BwJobResume JobResume;
    PFN_BwJobGetError JobGetError;
    PFN_BwFreeError FreeError;
    PFN_BwJobGetInfo JobGetInfo;
    PFN_BwFreeInfo FreeInfo;
    PFN_BwEnumJobs EnumJobs;
    PFN_BwFormatMessage FormatMessage;
    PFN_BwStateName StateName;
} itest_api;

extern itest_api bw;

#define ITEST_RPC_SERVER_UNAVAILABLE ((HRESULT)0x800706BAL)
#define ITEST_HTTP_404 ((HRESULT)0x80190194L)
#define ITEST_BG_E_ERROR_INFORMATION_UNAVAILABLE ((HRESULT)0x8020000FL)

/* Loads the DLL named by argv[1] and every export; remembers bwjob (argv[2])
 * and BW_TEST_HTTP. Prints what is missing and returns 0 on failure. */
int itest_load(int argc, wchar_t **argv);

/* The main of a test executable: itest_load, then the group, run on this
 * thread as a single-threaded apartment when sta (as in Windows PowerShell
 * 5.1), else with no COM at all. Returns the process' exit code. */
int itest_main(int argc, wchar_t **argv, const char *name, const struct CMUnitTest *tests,
               size_t count, int sta);
#define ITEST_MAIN(argc, argv, name, tests, sta) \
    itest_main((argc), (argv), (name), (tests), sizeof(tests) / sizeof((tests)[0]), (sta))

/* Milliseconds from a monotonic clock. */
uint64_t itest_now_ms(void);

/* Runs "bwjob <args>" and waits for it (at most 60 s). Its stdout goes to out
 * (NUL-terminated, trailing newline removed); its stderr to ours. Returns its
 * exit code, or -1 if it could not be run. */
int itest_bwjob(const wchar_t *args, char *out, size_t cap);

/* Runs a full command line, waits for it (at most timeout_ms), collects its
 * stdout and stderr as itest_bwjob does. Returns its exit code, or -1. */
int itest_run(const wchar_t *cmdline, unsigned long timeout_ms, char *out, size_t cap);

/* Milliseconds from QueryPerformanceCounter, for latencies under 100 ms. */
double itest_now_precise_ms(void);

/* A watchdog: if the case does not call itest_watchdog_off (or arm again)
 * within ms, the process prints "WATCHDOG: <what>" and exits with code 3, so a
 * deadlock fails the test instead of hanging it. */
void itest_watchdog_arm(const char *what, unsigned long ms);
void itest_watchdog_off(void);

/* A new job made by another process: "bwjob create <server><path> <local>".
 * guid gets the GUID text with braces (39 WCHARs); local, if not NULL, the
 * local file's full path (MAX_PATH WCHARs). Fails the test when bwjob fails. */
void itest_create_job(const char *path, const wchar_t *name, wchar_t guid[39], wchar_t *local);

/* A status struct ready for BwJobPoll. */
BW_STATUS itest_status(void);

/* Polls until the job is in one of the two states or the deadline passes;
 * returns the last result and fills *st. */
HRESULT itest_poll_until(BW_JOB job, UINT32 state_a, UINT32 state_b, uint64_t deadline_ms,
                         BW_STATUS *st);

/* Two jobs with no transfer in flight, as tests that stop or kill the
 * service need: a /fast download polled to TRANSFERRED and a /status/404 one
 * polled to ERROR, both opened. Fails the test otherwise. */
void itest_open_idle_jobs(wchar_t done_guid[39], BW_JOB *done, wchar_t err_guid[39], BW_JOB *err);

/* Nonzero once a call saw the BITS service gone (0x800706BA). */
int itest_bits_died(void);

/* At the top of a case that needs BITS: skip it once BITS died earlier, so one
 * crash is reported once, not as a dozen unrelated failures. */
#define itest_require_bits()                                                          \
    do {                                                                              \
        if (itest_bits_died()) {                                                      \
            print_message("skipped: BITS died in an earlier case\n");                 \
            skip();                                                                   \
        }                                                                             \
    } while (0)

/* Fails the test with both values in hex (and "BITS died" for 0x800706BA). */
void itest_fail_hr(const char *what, HRESULT expected, HRESULT actual, const char *file, int line);

#define assert_hr(expected, actual)                                                   \
    do {                                                                              \
        HRESULT itest_e_ = (expected), itest_a_ = (actual);                           \
        if (itest_e_ != itest_a_)                                                     \
            itest_fail_hr(#actual, itest_e_, itest_a_, __FILE__, __LINE__);           \
    } while (0)

/* For a call that must succeed (S_OK or any success code). */
#define assert_succeeded(actual)                                                      \
    do {                                                                              \
        HRESULT itest_a_ = (actual);                                                  \
        if (FAILED(itest_a_))                                                         \
            itest_fail_hr(#actual, S_OK, itest_a_, __FILE__, __LINE__);               \
    } while (0)

#endif /* BW_ITEST_H */
