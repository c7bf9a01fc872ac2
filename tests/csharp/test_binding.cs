// test_binding.cs - ps/src/*.cs (interop, loader, model) against the real C ABI (native build
// of the core over the scripted fake of tests/csharp/fake_jobs.c).
//
//   mono test_binding.exe LAYOUT_DUMP LIBBITSWATCH
//
// LAYOUT_DUMP is the layout_dump program (sizeof/offsetof from the real header);
// LIBBITSWATCH is the library test_binding.exe.config maps "bitswatch.dll" to.
// Prints one line per check and "N passed, N failed"; exits 1 on any failure.
using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Runtime.InteropServices;
using System.Threading;
using BitsWatch.Native;

static class TestHooks
{
    // Test-only exports of fake_jobs.c (not part of the product's ABI).
    [DllImport("bitswatch.dll", ExactSpelling = true)]
    public static extern long BwTestLiveBlocks();

    [DllImport("bitswatch.dll", ExactSpelling = true)]
    public static extern void BwTestSetBytes(ulong total, ulong transferred);

    // Another program creates a job (its number nn: GUID ...0000000000nn).
    [DllImport("bitswatch.dll", ExactSpelling = true)]
    public static extern uint BwTestJobArrive();

    // Another program cancels (8) or completes (7) job nn: it leaves the queue.
    [DllImport("bitswatch.dll", ExactSpelling = true)]
    public static extern void BwTestJobLeave(uint nn, uint state);
}

static class TestBinding
{
    static int passed, failed;

    static readonly Guid Job1 = new Guid("00000000-0000-0000-0000-000000000001");
    static readonly Guid Job2 = new Guid("00000000-0000-0000-0000-000000000002");
    static readonly Guid Job3 = new Guid("00000000-0000-0000-0000-000000000003");
    static readonly Guid Missing = new Guid("00000000-0000-0000-0000-0000000000ff");

    static void Check(bool ok, string what)
    {
        if (ok)
        {
            passed++;
            Console.WriteLine("ok   " + what);
        }
        else
        {
            failed++;
            Console.WriteLine("FAIL " + what);
        }
    }

    static void Equal<T>(T expected, T actual, string what)
    {
        bool ok = EqualityComparer<T>.Default.Equals(expected, actual);
        Check(ok, ok ? what : string.Format("{0}: expected {1}, got {2}", what, expected, actual));
    }

    static void EqualHr(int expected, int actual, string what)
    {
        bool ok = expected == actual;
        Check(ok, ok ? what : string.Format("{0}: expected 0x{1:X8}, got 0x{2:X8}", what, expected, actual));
    }

    // Runs body, which must throw a BitsWatchException with HResult hr.
    static BitsWatchException Throws(int hr, string what, Action body)
    {
        try
        {
            body();
            Check(false, what + ": no exception (expected HResult 0x" + hr.ToString("X8") + ")");
        }
        catch (BitsWatchException e)
        {
            EqualHr(hr, e.HResult, what);
            return e;
        }
        catch (Exception e)
        {
            Check(false, what + ": " + e.GetType().Name + ": " + e.Message);
        }
        return null;
    }

    static void Layout(string layoutDump)
    {
        ProcessStartInfo psi = new ProcessStartInfo(layoutDump);
        psi.UseShellExecute = false;
        psi.RedirectStandardOutput = true;
        Dictionary<string, long> c = new Dictionary<string, long>();
        using (Process p = Process.Start(psi))
        {
            string line;
            while ((line = p.StandardOutput.ReadLine()) != null)
            {
                string[] parts = line.Split(' ');
                if (parts.Length == 2)
                    c[parts[0]] = long.Parse(parts[1]);
            }
            p.WaitForExit();
            Equal(0, p.ExitCode, "layout_dump exit code");
        }
        Type[] types = { typeof(BW_PROGRESS), typeof(BW_REPLY_PROGRESS), typeof(BW_STATUS), typeof(BW_QUEUE_STATUS), typeof(BW_ERROR), typeof(BW_INFO) };
        foreach (Type t in types)
        {
            long size;
            if (!c.TryGetValue(t.Name, out size))
            {
                Check(false, "layout_dump prints no size for " + t.Name);
                continue;
            }
            Equal(size, (long)Marshal.SizeOf(t), "Marshal.SizeOf(" + t.Name + ") == sizeof");
            int cFields = 0;
            foreach (string key in c.Keys)
                if (key.StartsWith(t.Name + "."))
                    cFields++;
            System.Reflection.FieldInfo[] fields = t.GetFields(System.Reflection.BindingFlags.Instance | System.Reflection.BindingFlags.Public);
            Equal(cFields, fields.Length, t.Name + ": C# declares as many fields as the C struct");
            foreach (System.Reflection.FieldInfo f in fields)
            {
                long off;
                if (!c.TryGetValue(t.Name + "." + f.Name, out off))
                {
                    Check(false, t.Name + "." + f.Name + " is not a field of the C struct");
                    continue;
                }
                Equal(off, (long)Marshal.OffsetOf(t, f.Name), "offsetof(" + t.Name + ", " + f.Name + ")");
            }
        }
        long guid;
        Equal(true, c.TryGetValue("GUID", out guid) && guid == Marshal.SizeOf(typeof(Guid)), "sizeof(GUID) == Marshal.SizeOf(Guid)");
        // The cbSize the factories set is the C sizeof.
        Equal((long)c["BW_STATUS"], (long)BW_STATUS.Create().cbSize, "BW_STATUS.Create().cbSize");
        Equal((long)c["BW_PROGRESS"], (long)BW_PROGRESS.Create().cbSize, "BW_PROGRESS.Create().cbSize");
        Equal((long)c["BW_REPLY_PROGRESS"], (long)BW_REPLY_PROGRESS.Create().cbSize, "BW_REPLY_PROGRESS.Create().cbSize");
        Equal((long)c["BW_ERROR"], (long)BW_ERROR.Create().cbSize, "BW_ERROR.Create().cbSize");
        Equal((long)c["BW_INFO"], (long)BW_INFO.Create().cbSize, "BW_INFO.Create().cbSize");
        Equal((long)c["BW_QUEUE_STATUS"], (long)BW_QUEUE_STATUS.Create().cbSize, "BW_QUEUE_STATUS.Create().cbSize");
        Equal(32L, (long)c["BW_QUEUE_STATUS"], "sizeof(BW_QUEUE_STATUS) is 32");
    }

    static void Raw()
    {
        uint v = NativeMethods.BwGetVersion();
        Check(v != 0, "BwGetVersion() = " + Loader.VersionText(v));
        Equal("Transferring", Marshal.PtrToStringUni(NativeMethods.BwStateName(2)), "BwStateName(2)");
        Equal("Unknown", Marshal.PtrToStringUni(NativeMethods.BwStateName(99)), "BwStateName(99)");

        // Open by text, poll: the first poll reports every group as changed.
        SafeJobHandle h;
        EqualHr(Codes.S_OK, NativeMethods.BwJobOpen("{00000000-0000-0000-0000-000000000001}", out h), "BwJobOpen(braced text)");
        Check(h != null && !h.IsInvalid, "BwJobOpen gives a valid SafeJobHandle");
        BW_STATUS st = BW_STATUS.Create();
        EqualHr(Codes.S_OK, NativeMethods.BwJobPoll(h, 0, ref st), "first BwJobPoll is S_OK");
        Equal(Codes.BW_CHANGED_ALL, st.Changed, "first poll: Changed == BW_CHANGED_ALL");
        Equal(2u, st.State, "poll: State TRANSFERRING");
        Equal(0u, st.Type, "poll: Type DOWNLOAD");
        Equal(1UL, st.Sequence, "poll: Sequence 1");
        Equal(40000000UL, st.BytesTotal, "poll: BytesTotal");
        Equal(12500000UL, st.BytesTransferred, "poll: BytesTransferred");
        Equal(3u, st.FilesTotal, "poll: FilesTotal");
        Equal(1u, st.FilesTransferred, "poll: FilesTransferred");
        Equal(Codes.BW_SIZE_UNKNOWN, st.ReplyBytesTotal, "poll: ReplyBytesTotal unknown on a download");
        Equal(0, st.ErrorCode, "poll: ErrorCode 0");
        Check(st.Timestamp > 0x01D0000000000000UL, "poll: Timestamp is a recent FILETIME");
        BW_STATUS st2 = BW_STATUS.Create();
        EqualHr(Codes.S_FALSE, NativeMethods.BwJobPoll(h, 0, ref st2), "second BwJobPoll, nothing new: S_FALSE");
        Equal(0u, st2.Changed, "second poll: Changed 0");

        // A wait ends with the change another thread makes.
        Thread t = new Thread(delegate() { Thread.Sleep(100); TestHooks.BwTestSetBytes(40000000, 20000000); });
        t.Start();
        Stopwatch sw = Stopwatch.StartNew();
        BW_STATUS st3 = BW_STATUS.Create();
        EqualHr(Codes.S_OK, NativeMethods.BwJobPoll(h, 5000, ref st3), "BwJobPoll(5000) sees a change made during the wait");
        t.Join();
        Check(sw.ElapsedMilliseconds < 4000, "the wait ended with the change (" + sw.ElapsedMilliseconds + " ms)");
        Equal(Codes.BW_CHANGED_PROGRESS, st3.Changed, "Changed == BW_CHANGED_PROGRESS");
        Equal(20000000UL, st3.BytesTransferred, "BytesTransferred after the change");
        TestHooks.BwTestSetBytes(40000000, 12500000);

        BW_PROGRESS pr = BW_PROGRESS.Create();
        EqualHr(Codes.S_OK, NativeMethods.BwJobGetProgress(h, ref pr), "BwJobGetProgress");
        Equal(40000000UL, pr.BytesTotal, "progress: BytesTotal");
        Equal(3u, pr.FilesTotal, "progress: FilesTotal");

        BW_REPLY_PROGRESS rp = BW_REPLY_PROGRESS.Create();
        EqualHr(Codes.BW_E_NOT_UPLOAD_REPLY, NativeMethods.BwJobGetReplyProgress(h, ref rp), "BwJobGetReplyProgress on a download");

        BW_STATUS bad = new BW_STATUS();
        bad.cbSize = 7;
        EqualHr(Codes.E_INVALIDARG, NativeMethods.BwJobPoll(h, 0, ref bad), "BwJobPoll with a bad cbSize");

        // Dispose closes the handle: the stale value is E_HANDLE afterwards.
        IntPtr raw = h.DangerousGetHandle();
        h.Dispose();
        Check(h.IsClosed, "SafeJobHandle.Dispose closes it");
        using (SafeJobHandle stale = new SafeJobHandle(raw, false))
        {
            BW_STATUS s4 = BW_STATUS.Create();
            EqualHr(Codes.E_HANDLE, NativeMethods.BwJobPoll(stale, 0, ref s4), "BwJobPoll on the disposed handle's value: E_HANDLE");
        }
        EqualHr(Codes.E_HANDLE, NativeMethods.BwJobClose(raw), "BwJobClose again: E_HANDLE (Dispose did close it)");
        EqualHr(Codes.S_FALSE, NativeMethods.BwJobClose(IntPtr.Zero), "BwJobClose(NULL): S_FALSE");

        // Open by GUID struct; a missing job.
        Guid g = Job2;
        SafeJobHandle h2;
        EqualHr(Codes.S_OK, NativeMethods.BwJobOpenById(ref g, out h2), "BwJobOpenById(job 2)");
        BW_REPLY_PROGRESS rp2 = BW_REPLY_PROGRESS.Create();
        EqualHr(Codes.S_OK, NativeMethods.BwJobGetReplyProgress(h2, ref rp2), "BwJobGetReplyProgress on upload-reply");
        Equal(1000UL, rp2.BytesTotal, "reply: BytesTotal");
        Equal(250UL, rp2.BytesTransferred, "reply: BytesTransferred");
        h2.Dispose();
        Guid m = Missing;
        SafeJobHandle h3;
        EqualHr(Codes.BG_E_NOT_FOUND, NativeMethods.BwJobOpenById(ref m, out h3), "BwJobOpenById(missing): BG_E_NOT_FOUND");
        Check(h3 == null || h3.IsInvalid, "no handle for a missing job");
        if (h3 != null)
            h3.Dispose();
        SafeJobHandle h4;
        EqualHr(Codes.E_INVALIDARG, NativeMethods.BwJobOpen("not-a-guid", out h4), "BwJobOpen(malformed): E_INVALIDARG");
        if (h4 != null)
            h4.Dispose();

        // Error strings: read through the ulong pointer fields, then freed.
        Guid g3 = Job3;
        SafeJobHandle h5;
        EqualHr(Codes.S_OK, NativeMethods.BwJobOpenById(ref g3, out h5), "BwJobOpenById(job 3)");
        long before = TestHooks.BwTestLiveBlocks();
        BW_ERROR e = BW_ERROR.Create();
        EqualHr(Codes.S_OK, NativeMethods.BwJobGetError(h5, ref e), "BwJobGetError");
        long held = TestHooks.BwTestLiveBlocks() - before;
        Equal(5L, held, "BwJobGetError hands out 5 strings (the counter sees them)");
        Equal(unchecked((int)0x80190194), e.ErrorCode, "error: ErrorCode HTTP 404");
        Equal(5u, e.Context, "error: Context REMOTE_FILE");
        Equal("http://example.invalid/missing.bin", Job.PtrToString(e.RemoteName), "error: RemoteName");
        Equal("http", Job.PtrToString(e.Protocol), "error: Protocol");
        NativeMethods.BwFreeError(ref e);
        Equal(0L, TestHooks.BwTestLiveBlocks() - before, "BwFreeError frees them all");
        Equal(0UL, e.Description, "BwFreeError sets Description to NULL");
        h5.Dispose();

        // Enumeration: the count, then ERROR_MORE_DATA with a short buffer.
        uint count;
        EqualHr(Codes.ERROR_MORE_DATA, NativeMethods.BwEnumJobs(0, null, 0, out count), "BwEnumJobs(NULL, 0): ERROR_MORE_DATA");
        Equal(3u, count, "BwEnumJobs count");
        Guid[] one = new Guid[1];
        EqualHr(Codes.ERROR_MORE_DATA, NativeMethods.BwEnumJobs(0, one, 1, out count), "BwEnumJobs(capacity 1): ERROR_MORE_DATA");
        Equal(Job1, one[0], "BwEnumJobs writes the first GUID");
        EqualHr(Codes.E_ACCESSDENIED, NativeMethods.BwEnumJobs(Codes.BW_ENUM_ALL_USERS, null, 0, out count), "BwEnumJobs(ALL_USERS) as a non-administrator");

        // BwFormatMessage: size query, short buffer, full text.
        uint needed;
        NativeMethods.BwFormatMessage(Codes.BG_E_NOT_FOUND, null, 0, out needed);
        Check(needed > 1, "BwFormatMessage(NULL, 0) sets needed (" + needed + ")");
        char[] small = new char[4];
        EqualHr(Codes.ERROR_INSUFFICIENT_BUFFER, NativeMethods.BwFormatMessage(Codes.BG_E_NOT_FOUND, small, 4, out needed), "BwFormatMessage short buffer");
    }

    static void Wrapper()
    {
        using (Job j = Job.Open(Job1))
        {
            Equal(Job1, j.JobId, "Job.Open(Guid).JobId");
            JobStatus s = j.Poll(0);
            Check(s.Changed, "Job.Poll: first poll Changed");
            Equal(Codes.BW_CHANGED_ALL, s.ChangedFlags, "Job.Poll: ChangedFlags");
            Equal("Transferring", s.StateName, "Job.Poll: StateName");
            Equal(40000000UL, s.BytesTotal, "Job.Poll: BytesTotal");
            Check(!s.IsFinal, "Job.Poll: a transferring job is not final");
            Check(Math.Abs((s.Timestamp - DateTime.UtcNow).TotalMinutes) < 10, "Job.Poll: Timestamp is now (" + s.Timestamp.ToString("o") + ")");
            JobStatus s2 = j.Poll(0);
            Check(!s2.Changed, "Job.Poll: second poll not Changed");

            BW_PROGRESS p = j.GetProgress();
            Equal(12500000UL, p.BytesTransferred, "Job.GetProgress");
            BitsWatchException ex = Throws(Codes.BW_E_NOT_UPLOAD_REPLY, "Job.GetReplyProgress on a download throws BW_E_NOT_UPLOAD_REPLY", delegate { j.GetReplyProgress(); });
            if (ex != null)
            {
                string text = BitsWatchException.FormatMessage(Codes.BW_E_NOT_UPLOAD_REPLY);
                Check(text.Length > 0 && ex.Message.Contains(text), "exception message contains BwFormatMessage's text: " + ex.Message);
            }
            Check(j.GetError() == null, "Job.GetError on a job without error: null");

            long before = TestHooks.BwTestLiveBlocks();
            JobInfo info = j.GetInfo();
            Equal(0L, TestHooks.BwTestLiveBlocks() - before, "Job.GetInfo frees the strings (BwFreeInfo)");
            Equal(Job1, info.JobId, "info: JobId");
            Equal("Nightly build", info.DisplayName, "info: DisplayName");
            Equal("Downloads the nightly build", info.Description, "info: Description");
            Equal("CONTOSO\\builder", info.Owner, "info: Owner");
            Equal(2u, info.Priority, "info: Priority");
            Equal(1u, info.ErrorCount, "info: ErrorCount");
            Check(info.CreationTime.HasValue && info.CreationTime.Value.Year == 2024, "info: CreationTime 2024 (" + info.CreationTime + ")");
            Check(!info.TransferCompletionTime.HasValue, "info: TransferCompletionTime unknown (0 -> null)");

            j.Complete(); j.Cancel(); j.Suspend(); j.Resume();
            Check(true, "Job.Complete/Cancel/Suspend/Resume succeed on the fake");
            j.Dispose();
            Check(j.Handle.IsClosed, "Job.Dispose closes the handle");
            try
            {
                j.Poll(0);
                Check(false, "Job.Poll after Dispose throws");
            }
            catch (ObjectDisposedException)
            {
                Check(true, "Job.Poll after Dispose throws ObjectDisposedException");
            }
        }

        using (Job j = Job.Open("00000000-0000-0000-0000-000000000003"))
        {
            JobStatus s = j.Poll(100);
            Equal("Error", s.StateName, "job 3: StateName Error");
            Check(s.IsFinal, "job 3: an ERROR job is final");
            Equal(unchecked((int)0x80190194), s.ErrorCode, "job 3: ErrorCode");
            long before = TestHooks.BwTestLiveBlocks();
            JobError e = j.GetError();
            Equal(0L, TestHooks.BwTestLiveBlocks() - before, "Job.GetError frees the strings (BwFreeError)");
            Check(e != null, "Job.GetError returns the error");
            if (e != null)
            {
                Equal("The requested URL does not exist on the server.", e.Description, "JobError.Description");
                Check(!string.IsNullOrEmpty(e.ContextDescription), "JobError.ContextDescription filled by the library: " + e.ContextDescription);
                Equal("C:\\Temp\\missing.bin", e.LocalName, "JobError.LocalName");
                Equal(5u, e.Context, "JobError.Context");
            }
        }

        using (Job j = Job.Open(Job2))
        {
            BW_REPLY_PROGRESS r = j.GetReplyProgress();
            Equal(250UL, r.BytesTransferred, "Job.GetReplyProgress on upload-reply");
            JobStatus s = j.Poll(0);
            Equal(1000UL, s.ReplyBytesTotal, "Job.Poll: ReplyBytesTotal of upload-reply");
        }

        BitsWatchException nf = Throws(Codes.BG_E_NOT_FOUND, "Job.Open(missing) throws BG_E_NOT_FOUND", delegate { Job.Open(Missing); });
        if (nf != null)
        {
            Check(nf.Message.Contains("BG_E_NOT_FOUND"), "BG_E_NOT_FOUND message names the code: " + nf.Message);
            Check(nf.Message.Contains(Missing.ToString()), "the message names the job");
        }

        Guid[] ids = Job.EnumJobs(false);
        Equal(3, ids.Length, "Job.EnumJobs(false) count");
        if (ids.Length == 3)
            Check(ids[0] == Job1 && ids[1] == Job2 && ids[2] == Job3, "Job.EnumJobs GUIDs in order");
        Throws(Codes.E_ACCESSDENIED, "Job.EnumJobs(true) as a non-administrator throws E_ACCESSDENIED", delegate { Job.EnumJobs(true); });

        string http = BitsWatchException.FormatMessage(unchecked((int)0x80190194));
        Check(http.Contains("404"), "FormatMessage(HTTP 404): " + http);
        Equal("Cancelled", Job.StateName(8), "Job.StateName(8)");
        Equal(NativeMethods.BwGetVersion(), Job.Version, "Job.Version");
    }

    static Guid FakeJob(uint nn)
    {
        return new Guid(string.Format("00000000-0000-0000-0000-{0:x12}", nn));
    }

    // Runs body on another thread after delayMs; returns the thread (Join it).
    static Thread After(int delayMs, ThreadStart body)
    {
        Thread t = new Thread(delegate() { Thread.Sleep(delayMs); body(); });
        t.Start();
        return t;
    }

    // The four queue exports through the declarations, then the Queue wrapper.
    // Runs after Wrapper(): jobs arrive and leave here.
    static void QueueCalls()
    {
        SafeQueueHandle q;
        EqualHr(Codes.S_OK, NativeMethods.BwQueueOpen(0, out q), "BwQueueOpen(0)");
        Check(q != null && !q.IsInvalid, "BwQueueOpen gives a valid SafeQueueHandle");
        BW_QUEUE_STATUS qs = BW_QUEUE_STATUS.Create();
        EqualHr(Codes.S_OK, NativeMethods.BwQueuePoll(q, 0, ref qs), "first BwQueuePoll is S_OK");
        Equal(3u, qs.JobCount, "first queue poll: JobCount 3");
        Equal(3u, qs.Added, "first queue poll: every job Added");
        Equal(0u, qs.Removed, "first queue poll: Removed 0");
        Equal(1UL, qs.Sequence, "first queue poll: Sequence 1");
        Check(qs.Timestamp > 0x01D0000000000000UL, "queue poll: Timestamp is a recent FILETIME");
        uint count;
        EqualHr(Codes.ERROR_MORE_DATA, NativeMethods.BwQueueGetJobs(q, null, 0, out count), "BwQueueGetJobs(NULL, 0): ERROR_MORE_DATA");
        Equal(3u, count, "BwQueueGetJobs count");
        Guid[] ids = new Guid[4];
        EqualHr(Codes.S_OK, NativeMethods.BwQueueGetJobs(q, ids, 4, out count), "BwQueueGetJobs(capacity 4)");
        Check(count == 3 && ids[0] == Job1 && ids[1] == Job2 && ids[2] == Job3, "BwQueueGetJobs: the three GUIDs in GUID order");
        BW_QUEUE_STATUS qs2 = BW_QUEUE_STATUS.Create();
        EqualHr(Codes.S_FALSE, NativeMethods.BwQueuePoll(q, 0, ref qs2), "second BwQueuePoll, nothing new: S_FALSE");
        Equal(0u, qs2.Added + qs2.Removed, "second queue poll: nothing added or removed");
        BW_QUEUE_STATUS bad = new BW_QUEUE_STATUS();
        bad.cbSize = 7;
        EqualHr(Codes.E_INVALIDARG, NativeMethods.BwQueuePoll(q, 0, ref bad), "BwQueuePoll with a bad cbSize");

        // A wait ends when a job arrives (another thread plays the other program).
        uint arrived = 0;
        Thread t = After(100, delegate() { arrived = TestHooks.BwTestJobArrive(); });
        Stopwatch sw = Stopwatch.StartNew();
        BW_QUEUE_STATUS qs3 = BW_QUEUE_STATUS.Create();
        EqualHr(Codes.S_OK, NativeMethods.BwQueuePoll(q, 5000, ref qs3), "BwQueuePoll(5000) sees a job arrive");
        t.Join();
        Check(sw.ElapsedMilliseconds < 4000, "the queue wait ended with the arrival (" + sw.ElapsedMilliseconds + " ms)");
        Equal(4u, qs3.JobCount, "after the arrival: JobCount 4");
        Equal(1u, qs3.Added, "after the arrival: Added 1");
        Equal(2UL, qs3.Sequence, "after the arrival: Sequence 2");
        Guid[] four = new Guid[8];
        NativeMethods.BwQueueGetJobs(q, four, 8, out count);
        Check(count == 4 && Array.IndexOf(four, FakeJob(arrived)) >= 0, "BwQueueGetJobs lists the new job " + FakeJob(arrived));
        TestHooks.BwTestJobLeave(arrived, 8);
        BW_QUEUE_STATUS qs4 = BW_QUEUE_STATUS.Create();
        EqualHr(Codes.S_OK, NativeMethods.BwQueuePoll(q, 5000, ref qs4), "BwQueuePoll(5000) sees a job leave");
        Equal(3u, qs4.JobCount, "after the leave: JobCount 3");
        Equal(1u, qs4.Removed, "after the leave: Removed 1");

        SafeQueueHandle denied;
        EqualHr(Codes.E_ACCESSDENIED, NativeMethods.BwQueueOpen(Codes.BW_ENUM_ALL_USERS, out denied), "BwQueueOpen(ALL_USERS) as a non-administrator");
        Check(denied == null || denied.IsInvalid, "no queue handle after a failed open");
        if (denied != null)
            denied.Dispose();

        // A job handle is not a queue handle, nor the other way round.
        SafeJobHandle h;
        EqualHr(Codes.S_OK, NativeMethods.BwJobOpen("{00000000-0000-0000-0000-000000000001}", out h), "BwJobOpen(job 1)");
        using (SafeQueueHandle asQueue = new SafeQueueHandle(h.DangerousGetHandle(), false))
        {
            BW_QUEUE_STATUS s5 = BW_QUEUE_STATUS.Create();
            EqualHr(Codes.E_HANDLE, NativeMethods.BwQueuePoll(asQueue, 0, ref s5), "BwQueuePoll on a job handle: E_HANDLE");
        }
        using (SafeJobHandle asJob = new SafeJobHandle(q.DangerousGetHandle(), false))
        {
            BW_STATUS s6 = BW_STATUS.Create();
            EqualHr(Codes.E_HANDLE, NativeMethods.BwJobPoll(asJob, 0, ref s6), "BwJobPoll on a queue handle: E_HANDLE");
        }
        EqualHr(Codes.E_HANDLE, NativeMethods.BwQueueClose(h.DangerousGetHandle()), "BwQueueClose on a job handle: E_HANDLE");
        h.Dispose();

        // Dispose closes the queue handle: its stale value is E_HANDLE afterwards.
        IntPtr raw = q.DangerousGetHandle();
        q.Dispose();
        Check(q.IsClosed, "SafeQueueHandle.Dispose closes it");
        using (SafeQueueHandle stale = new SafeQueueHandle(raw, false))
        {
            BW_QUEUE_STATUS s7 = BW_QUEUE_STATUS.Create();
            EqualHr(Codes.E_HANDLE, NativeMethods.BwQueuePoll(stale, 0, ref s7), "BwQueuePoll on the disposed handle's value: E_HANDLE");
            uint n7;
            EqualHr(Codes.E_HANDLE, NativeMethods.BwQueueGetJobs(stale, null, 0, out n7), "BwQueueGetJobs on it: E_HANDLE");
        }
        EqualHr(Codes.E_HANDLE, NativeMethods.BwQueueClose(raw), "BwQueueClose again: E_HANDLE (Dispose did close it)");
        EqualHr(Codes.S_FALSE, NativeMethods.BwQueueClose(IntPtr.Zero), "BwQueueClose(NULL): S_FALSE");

        // The wrapper.
        int before = BitsWatch.Native.Queue.OpenCount;
        BitsWatch.Native.Queue queue = BitsWatch.Native.Queue.Open(false);
        Equal(before + 1, BitsWatch.Native.Queue.OpenCount, "Queue.Open counts an open queue");
        try
        {
            QueueStatus first = queue.Poll(0);
            Check(first.Changed, "Queue.Poll: first poll Changed");
            Equal(3, first.JobIds.Length, "Queue.Poll: JobIds of the three jobs");
            Equal(3, first.Added.Length, "Queue.Poll: the first poll has every job Added");
            Equal(0, first.Removed.Length, "Queue.Poll: the first poll has none Removed");
            Check(Math.Abs((first.Timestamp - DateTime.UtcNow).TotalMinutes) < 10, "Queue.Poll: Timestamp is now");
            QueueStatus quiet = queue.Poll(0);
            Check(!quiet.Changed && quiet.Added.Length == 0 && quiet.Removed.Length == 0 && quiet.JobIds.Length == 3, "Queue.Poll: nothing new");

            uint nn = 0;
            Thread t2 = After(100, delegate() { nn = TestHooks.BwTestJobArrive(); });
            QueueStatus came = queue.Poll(5000);
            t2.Join();
            Check(came.Changed && came.Added.Length == 1 && came.Added[0] == FakeJob(nn), "Queue.Poll: Added names the new job");
            Equal(4, came.JobIds.Length, "Queue.Poll: JobIds has the new job");
            TestHooks.BwTestJobLeave(nn, 7);
            QueueStatus went = queue.Poll(5000);
            Check(went.Changed && went.Removed.Length == 1 && went.Removed[0] == FakeJob(nn), "Queue.Poll: Removed names the job that left");
            Equal(0, went.Added.Length, "Queue.Poll: nothing Added when a job left");
            Equal(1u, went.RemovedCount, "Queue.Poll: RemovedCount (BW_QUEUE_STATUS.Removed)");
            Equal(3, queue.GetJobs().Length, "Queue.GetJobs: the three left");
        }
        finally
        {
            queue.Dispose();
        }
        Equal(before, BitsWatch.Native.Queue.OpenCount, "Queue.Dispose: no longer counted");
        Check(queue.Handle.IsClosed, "Queue.Dispose closes the handle");
        queue.Dispose();
        Equal(before, BitsWatch.Native.Queue.OpenCount, "Queue.Dispose twice: counted once");
        try
        {
            queue.Poll(0);
            Check(false, "Queue.Poll after Dispose throws");
        }
        catch (ObjectDisposedException)
        {
            Check(true, "Queue.Poll after Dispose throws ObjectDisposedException");
        }
        BitsWatchException ad = Throws(Codes.E_ACCESSDENIED, "Queue.Open(true) as a non-administrator throws E_ACCESSDENIED", delegate { BitsWatch.Native.Queue.Open(true); });
        if (ad != null)
            Check(ad.Message.StartsWith("BwQueueOpen: "), "the message names BwQueueOpen: " + ad.Message);
        BitsWatch.Native.Queue none;
        BitsWatchException tried = BitsWatch.Native.Queue.TryOpen(true, out none);
        Check(tried != null && none == null, "Queue.TryOpen(true) returns the failure, no queue");
        Equal(before, BitsWatch.Native.Queue.OpenCount, "a failed open counts nothing");
    }

    static int Main(string[] args)
    {
        if (args.Length < 1)
        {
            Console.Error.WriteLine("usage: mono test_binding.exe LAYOUT_DUMP [LIBBITSWATCH]");
            return 2;
        }
        if (args.Length > 1 && !File.Exists(args[1]))
        {
            Console.Error.WriteLine("no " + args[1]);
            return 2;
        }
        try
        {
            Layout(args[0]);
            Raw();
            Wrapper();
            QueueCalls();
        }
        catch (Exception e)
        {
            Check(false, "unexpected " + e);
        }
        Console.WriteLine("{0} passed, {1} failed", passed, failed);
        return failed == 0 ? 0 : 1;
    }
}
