/*
 * diagnose_rules.c - the rule table of BwJobDiagnose: one row per cause,
 * first match wins. Every caller (the CLI, the PowerShell module, C#, FFI)
 * gets its verdicts from here; diagnose.c gathers the facts and fills the
 * templates. Each row is covered by a test in tests/unit/test_diagnose.c
 * named after the row.
 *
 * Sources (Microsoft's BITS documentation): new jobs start suspended and
 * transfer only after Resume; files are invisible until Complete, and the
 * service cancels a job left uncompleted for the JobInactivityTimeout policy
 * (90 days by default); after a transient error BITS waits the minimum retry
 * delay (600 s by default, at least 5 s) and moves the job to ERROR when
 * nothing moved for the no-progress timeout (14 days by default), the timer
 * reset by progress; it does not retry after a network disconnect or a disk
 * lock; jobs transfer only while their owner is logged on interactively;
 * ModificationTime changes with every state change and with bytes moved.
 */
#include "bw_core.h"

#define S(state) (1u << (state))
#define FT_S 10000000ull /* FILETIME units in a second */

static UINT64 creation(const bw__facts *f) { return f->info.creation_time; }
static UINT64 modification(const bw__facts *f) { return f->info.modification_time; }
static UINT64 completion(const bw__facts *f) { return f->info.completion_time; }

static UINT64 still_since(const bw__facts *f)
{
    return f->watched ? f->now_ft - f->still_ms * 10000u : 0;
}

UINT64 bw__retry_due(const bw__facts *f)
{
    if (!f->info.modification_time || !(f->details.known & BW_KNOWN_RETRY_DELAY))
        return 0;
    return f->info.modification_time + (UINT64)f->details.retry_delay * FT_S;
}

/* The no-progress timer restarts with progress; the last progress is no
 * later than the last modification, so this is the latest BITS gives up. */
UINT64 bw__give_up_due(const bw__facts *f)
{
    if (!f->info.modification_time || !(f->details.known & BW_KNOWN_NO_PROGRESS_TIMEOUT))
        return 0;
    return f->info.modification_time + (UINT64)f->details.no_progress_timeout * FT_S;
}

static UINT64 cancel_due(const bw__facts *f)
{
    if (!f->info.completion_time)
        return 0;
    return f->info.completion_time + (UINT64)BW__INACTIVITY_DEFAULT_S * FT_S;
}

/* Never resumed: nothing moved, and (where the service tells) nothing
 * changed since the job was made. */
static int never_resumed(const bw__facts *f)
{
    if (f->progress.bytes_transferred != 0)
        return 0;
    if (f->info.creation_time && f->info.modification_time)
        return f->info.modification_time - f->info.creation_time < FT_S;
    return 1;
}

static int connecting_long(const bw__facts *f)
{
    UINT64 limit = (UINT64)BW__CONNECTING_LONG_MS * 10000u;
    if (f->info.modification_time && f->now_ft >= f->info.modification_time &&
        f->now_ft - f->info.modification_time >= limit)
        return 1;
    return f->watched && f->still_ms >= BW__CONNECTING_LONG_MS;
}

/* Bytes stood still for BW__STALL_MS as the handle watched (still_ms is
 * never more than how long it watched, so a fresh handle cannot say). */
static int stalled(const bw__facts *f)
{
    return f->watched && f->still_ms >= BW__STALL_MS;
}

static int jobs_ahead(const bw__facts *f) { return f->queue_known && f->ahead_count > 0; }

static int owner_logged_off(const bw__facts *f) { return f->info.owner_logon == BW__LOGON_NONE; }

/* A transfer policy that leaves some network out (BITS_COST_STATE_* bits
 * 0x1-0x80 not all set; BITS 5.0 jobs only): on such a network BITS holds
 * the job queued. The current network's cost is not read here. */
static int cost_restricted(const bw__facts *f)
{
    return (f->details.known & BW_KNOWN_COST_FLAGS) && (f->details.cost_flags & 0xFFu) != 0xFFu;
}

#define E_HTTP(status) ((HRESULT)(0x80190000u + (status)))

const bw__rule bw__rules[] = {
    {"finished", BW_VERDICT_FINISHED, S(BW_STATE_ACKNOWLEDGED) | S(BW_STATE_CANCELLED), 0, 0,
     NULL, modification, NULL,
     "The job is {state}: it has left the queue and nothing is waiting for it.",
     "None."},
    {"transferred-not-completed", BW_VERDICT_NOT_COMPLETED, S(BW_STATE_TRANSFERRED), 0, 0,
     NULL, completion, cancel_due,
     "Transferred {for}, but nobody called Complete: its files stay invisible until the owner does, "
     "and BITS cancels the job {cancel_in}.",
     "Have the program that created it complete it (or complete it yourself: Complete-BitsTransfer, "
     "bitsadmin /complete); cancel it if the files are not wanted."},
    {"suspended-never-resumed", BW_VERDICT_SUSPENDED, S(BW_STATE_SUSPENDED), 0, 0,
     never_resumed, creation, NULL,
     "Suspended {for_created} and has never moved a byte: a new job starts suspended, and the program "
     "that created it never called Resume.",
     "Resume it if it is still wanted (Resume-BitsTransfer, bitsadmin /resume); otherwise cancel it."},
    {"suspended", BW_VERDICT_SUSPENDED, S(BW_STATE_SUSPENDED), 0, 0,
     NULL, modification, NULL,
     "Suspended {for} after moving {bytes}: something called Suspend and nobody resumed it.",
     "Resume it if it is still wanted (Resume-BitsTransfer, bitsadmin /resume); otherwise cancel it."},
    {"network-disconnected", BW_VERDICT_RETRY_WAIT, S(BW_STATE_TRANSIENT_ERROR),
     (HRESULT)0x80200010 /* BG_E_NETWORK_DISCONNECTED */, 0, NULL, modification, bw__give_up_due,
     "Waiting for a network {for}: BITS does not retry on its timer after a network disconnect; it "
     "resumes when a connection comes back, and gives up {give_up_in}.",
     "Connect the machine to a network; the job then continues by itself."},
    {"transient-error-retry", BW_VERDICT_RETRY_WAIT, S(BW_STATE_TRANSIENT_ERROR), 0, 0,
     NULL, modification, bw__retry_due,
     "A transient error ({code}) stopped it {for}; BITS retries {retry_in} and moves it to ERROR "
     "{give_up_in} if nothing moves.",
     "Fix what the error names ({url}); resume the job to retry at once."},
    {"proxy-auth", BW_VERDICT_PROXY_ERROR, S(BW_STATE_ERROR), E_HTTP(407), 0,
     NULL, modification, NULL,
     "The proxy refused the request for {url} (HTTP 407: proxy authentication required); proxy: "
     "{proxy}.",
     "Give the job proxy credentials (SetCredentials, target proxy) or correct its proxy settings, "
     "then resume it."},
    {"server-auth", BW_VERDICT_REMOTE_ERROR, S(BW_STATE_ERROR), E_HTTP(401), 0,
     NULL, modification, NULL,
     "The server requires credentials for {url} (HTTP 401).",
     "Give the job server credentials (SetCredentials, target server), then resume it."},
    {"not-found", BW_VERDICT_REMOTE_ERROR, S(BW_STATE_ERROR), E_HTTP(404), 0,
     NULL, modification, NULL,
     "The file is not on the server: {url} answered HTTP 404.",
     "Correct the URL (SetRemoteName) or publish the file, then resume the job; or cancel it."},
    {"no-range-support", BW_VERDICT_NO_RANGE_SUPPORT, S(BW_STATE_ERROR) | S(BW_STATE_TRANSIENT_ERROR),
     (HRESULT)0x80200013 /* BG_E_INSUFFICIENT_RANGE_SUPPORT */, 0, NULL, modification, NULL,
     "The server of {url} does not serve byte ranges, which background transfers need.",
     "Fix the server (it must honour Range and Content-Range), or make the job FOREGROUND priority, "
     "which BITS can download without ranges (files under 2 GB); then resume it."},
    {"no-http-support", BW_VERDICT_NO_RANGE_SUPPORT, S(BW_STATE_ERROR) | S(BW_STATE_TRANSIENT_ERROR),
     (HRESULT)0x80200012 /* BG_E_INSUFFICIENT_HTTP_SUPPORT */, 0, NULL, modification, NULL,
     "The server of {url} lacks the HTTP/1.1 support BITS needs (HEAD with the size, ranges).",
     "Fix the server, or make the job FOREGROUND priority (files under 2 GB); then resume it."},
    {"remote-error", BW_VERDICT_REMOTE_ERROR, S(BW_STATE_ERROR), 0, BW_CONTEXT_REMOTE_FILE,
     NULL, modification, NULL,
     "The server refused {url}: {code}.",
     "Fix the URL or the server, then resume the job; or cancel it."},
    {"local-error", BW_VERDICT_LOCAL_ERROR, S(BW_STATE_ERROR), 0, BW_CONTEXT_LOCAL_FILE,
     NULL, modification, NULL,
     "Writing {local} failed: {code}.",
     "Check that the folder exists, the owner may write there and the disk has room; then resume it."},
    {"no-error-record", BW_VERDICT_ERROR, S(BW_STATE_ERROR),
     (HRESULT)0x8020000F /* BG_E_ERROR_INFORMATION_UNAVAILABLE */, 0, NULL, modification, NULL,
     "The job failed without an error record: BITS could not reach {url} at all (Wine's BITS "
     "fails a connection this way).",
     "Check that the server answers at that address and port, then resume the job; or cancel it."},
    {"error", BW_VERDICT_ERROR, S(BW_STATE_ERROR), 0, 0,
     NULL, modification, NULL,
     "BITS stopped the job and will not retry it by itself: {code}.",
     "Fix the cause, then resume the job; or cancel it."},
    {"connecting-long", BW_VERDICT_CONNECTING_LONG, S(BW_STATE_CONNECTING), 0, 0,
     connecting_long, modification, NULL,
     "Connecting {for_still} to {url} without getting an answer; proxy: {proxy}.",
     "Check that the server answers and that the owner's proxy settings reach it (bitsadmin /util "
     "/getieproxy, or the job's own proxy settings)."},
    {"stalled", BW_VERDICT_STALLED, S(BW_STATE_TRANSFERRING) | S(BW_STATE_CONNECTING), 0, 0,
     stalled, still_since, NULL,
     "{state}, but no byte has moved for {still} ({bytes}).",
     "Check the server and the network path; suspend and resume the job to make BITS reconnect."},
    {"moving", BW_VERDICT_MOVING, S(BW_STATE_TRANSFERRING) | S(BW_STATE_CONNECTING), 0, 0,
     NULL, modification, NULL,
     "{state}: {bytes} so far; nothing is wrong.",
     "None: wait for it."},
    {"owner-logged-off", BW_VERDICT_OWNER_LOGGED_OFF, S(BW_STATE_QUEUED), 0, 0,
     owner_logged_off, modification, NULL,
     "Queued {for}: its owner ({owner}) has no session on this machine, and BITS transfers a "
     "user's job only while that user is logged on.",
     "Have {owner} log on (a disconnected session counts), or recreate the job from a service "
     "account (LocalSystem, LocalService, NetworkService), which is always logged on."},
    {"queued-behind", BW_VERDICT_QUEUED_BEHIND, S(BW_STATE_QUEUED), 0, 0,
     jobs_ahead, modification, NULL,
     "Queued behind {ahead}: BITS transfers higher priorities first (foreground first) and, within a "
     "priority, a few jobs at a time.",
     "Wait; or raise this job's priority (Set-BitsTransfer -Priority, bitsadmin /setpriority), or "
     "suspend the jobs ahead."},
    {"queued-cost-policy", BW_VERDICT_QUEUED_IDLE, S(BW_STATE_QUEUED), 0, 0,
     cost_restricted, modification, NULL,
     "Queued {for} with no job transferring ahead of it, and its transfer policy allows only some "
     "networks ({cost}): on a metered, capped or roaming network BITS holds it.",
     "Connect to a network the policy allows, or widen the job's policy "
     "(BITS_JOB_PROPERTY_ID_COST_FLAGS, e.g. BITS_COST_STATE_TRANSFER_ALWAYS); also check that the "
     "owner is logged on."},
    {"queued-idle", BW_VERDICT_QUEUED_IDLE, S(BW_STATE_QUEUED), 0, 0,
     NULL, modification, NULL,
     "Queued {for} with no job transferring ahead of it: BITS waits until its owner ({owner}) is "
     "logged on, a network is connected and the transfer policy allows this network's cost.",
     "Check that the owner is logged on (service accounts always are), the network and the BITS "
     "group policies; resume the job to make BITS try again."},
};

const unsigned bw__rule_count = sizeof bw__rules / sizeof bw__rules[0];
