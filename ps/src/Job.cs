// Job.cs - an open BITS job (BwJobOpen ... BwJobClose), polled alone or in a set.
//
// C# 5 only (every file of ps/src/): importing from the source tree compiles
// these files with Add-Type, and Windows PowerShell 5.1's Add-Type uses the
// old compiler (no string interpolation, no ?., no nameof, no expression-bodied
// members, no auto-property initializers). The package ships them compiled
// (BitsWatch.Native.csproj: BitsWatch.Native.dll, signed) and as source.
using System;
using System.Runtime.InteropServices;

namespace BitsWatch.Native
{
    // An open job: every failed HRESULT becomes a BitsWatchException.
    public sealed class Job : IDisposable
    {
        private readonly SafeJobHandle handle;
        private readonly Guid id;
        private int disposed;
        private static int openCount;
        private static long nativePollCount;

        private Job(SafeJobHandle handle, Guid id)
        {
            this.handle = handle;
            this.id = id;
            System.Threading.Interlocked.Increment(ref openCount);
        }

        // Jobs opened in this process and not yet disposed (a finalized
        // SafeJobHandle closes its handle but is still counted): the module's
        // tests check that every command disposes what it opened. Internal:
        // no part of what users call (the tests read it by reflection).
        internal static int OpenCount
        {
            get { return System.Threading.Volatile.Read(ref openCount); }
        }

        public Guid JobId
        {
            get { return id; }
        }

        public SafeJobHandle Handle
        {
            get { return handle; }
        }

        public static Job Open(Guid jobId)
        {
            SafeJobHandle h;
            int hr = NativeMethods.BwJobOpenById(ref jobId, out h);
            if (hr < 0)
            {
                if (h != null)
                    h.Dispose();
                throw BitsWatchException.FromHResult(hr, "Cannot open BITS job {" + jobId + "}");
            }
            return new Job(h, jobId);
        }

        public static Job Open(string jobId)
        {
            SafeJobHandle h;
            int hr = NativeMethods.BwJobOpen(jobId, out h);
            if (hr < 0)
            {
                if (h != null)
                    h.Dispose();
                throw BitsWatchException.FromHResult(hr, "Cannot open BITS job " + jobId);
            }
            return new Job(h, new Guid(jobId));
        }

        // What every Try* method below does: the call's result, or its
        // BitsWatchException returned instead of thrown.
        private static BitsWatchException Try<T>(Func<T> call, out T result) where T : class
        {
            result = null;
            try
            {
                result = call();
                return null;
            }
            catch (BitsWatchException e)
            {
                return e;
            }
        }

        // The Try* methods return the failure instead of throwing it, so a
        // PowerShell caller handles an expected failure (a job that is gone)
        // without an exception landing in $Error (and in -ErrorVariable).
        public static BitsWatchException TryOpen(Guid jobId, out Job job)
        {
            return Try(delegate { return Open(jobId); }, out job);
        }

        public BitsWatchException TryPoll(uint timeoutMs, out JobStatus status)
        {
            return Try(delegate { return Poll(timeoutMs); }, out status);
        }

        public BitsWatchException TryGetInfo(out JobInfo info)
        {
            return Try(delegate { return GetInfo(); }, out info);
        }

        public BitsWatchException TryDiagnose(bool noQueue, out Diagnosis diagnosis)
        {
            return Try(delegate { return Diagnose(noQueue); }, out diagnosis);
        }

        public BitsWatchException TryGetError(out JobError error)
        {
            return Try(delegate { return GetError(); }, out error);
        }

        public BitsWatchException TryComplete()
        {
            try
            {
                Complete();
                return null;
            }
            catch (BitsWatchException e)
            {
                return e;
            }
        }

        public static BitsWatchException TryEnumJobs(bool allUsers, out Guid[] ids)
        {
            ids = null;
            try
            {
                ids = EnumJobs(allUsers);
                return null;
            }
            catch (BitsWatchException e)
            {
                return e;
            }
        }

        // Calls of BwJobPoll and BwJobPollMany made through this class in the
        // process: the module's tests check that watching a set of jobs costs
        // one call per wait slice, not one per job. Internal, as OpenCount.
        internal static long NativePollCount
        {
            get { return System.Threading.Interlocked.Read(ref nativePollCount); }
        }

        // Waits up to timeoutMs (0: not at all; Codes.INFINITE: no limit) for a change.
        public JobStatus Poll(uint timeoutMs)
        {
            BW_STATUS s = BW_STATUS.Create();
            System.Threading.Interlocked.Increment(ref nativePollCount);
            int hr = BitsWatchException.Check(NativeMethods.BwJobPoll(handle, timeoutMs, ref s), "BwJobPoll");
            return ToJobStatus(id, hr == Codes.S_OK, ref s);
        }

        // Waits up to timeoutMs for the first change of any of the jobs, in one
        // BwJobPollMany call (each job keeps its own change detection, as with
        // Poll). Never throws for an HRESULT: one result per job, in order,
        // with that job's status or its failure (a failure of the call as a
        // whole is every job's failure). A disposed Job fails with E_HANDLE.
        public static PollResult[] PollMany(Job[] jobs, uint timeoutMs)
        {
            if (jobs == null)
                throw new ArgumentNullException("jobs");
            int n = jobs.Length;
            PollResult[] results = new PollResult[n];
            if (n == 0)
                return results;
            for (int i = 0; i < n; i++)
            {
                if (jobs[i] == null)
                    throw new ArgumentException("jobs[" + i + "] is null", "jobs");
            }
            IntPtr[] raw = new IntPtr[n];
            bool[] added = new bool[n];
            BW_STATUS[] statuses = new BW_STATUS[n];
            int[] hrs = new int[n];
            int hr;
            uint changed;
            try
            {
                // The handles stay referenced for the call, so a Dispose from
                // another thread cannot close them under the library (the
                // close then happens when the last reference goes).
                for (int i = 0; i < n; i++)
                {
                    statuses[i] = BW_STATUS.Create();
                    try
                    {
                        jobs[i].handle.DangerousAddRef(ref added[i]);
                    }
                    catch (ObjectDisposedException)
                    {
                    }
                    if (added[i])
                        raw[i] = jobs[i].handle.DangerousGetHandle();
                }
                System.Threading.Interlocked.Increment(ref nativePollCount);
                hr = NativeMethods.BwJobPollMany(raw, (uint)n, timeoutMs, statuses, hrs, out changed);
            }
            finally
            {
                for (int i = 0; i < n; i++)
                {
                    if (added[i])
                        jobs[i].handle.DangerousRelease();
                }
            }
            BitsWatchException whole = hr < 0 ? BitsWatchException.FromHResult(hr, "BwJobPollMany") : null;
            for (int i = 0; i < n; i++)
            {
                PollResult r = new PollResult();
                r.Job = jobs[i];
                int one = added[i] ? hrs[i] : Codes.E_HANDLE;
                if (whole != null)
                    r.Failure = whole;
                else if (one < 0)
                    r.Failure = BitsWatchException.FromHResult(one, "BwJobPollMany");
                else
                {
                    r.Changed = one == Codes.S_OK;
                    r.Status = ToJobStatus(jobs[i].id, r.Changed, ref statuses[i]);
                }
                results[i] = r;
            }
            return results;
        }

        private static JobStatus ToJobStatus(Guid id, bool changed, ref BW_STATUS s)
        {
            JobStatus r = new JobStatus();
            r.JobId = id;
            r.Changed = changed;
            r.ChangedFlags = s.Changed;
            r.State = (JobState)s.State;
            r.StateName = StateName(s.State);
            r.Type = s.Type;
            r.Sequence = s.Sequence;
            r.Timestamp = FromFileTime(s.Timestamp) ?? DateTime.UtcNow;
            r.BytesTotal = s.BytesTotal;
            r.BytesTransferred = s.BytesTransferred;
            r.FilesTotal = s.FilesTotal;
            r.FilesTransferred = s.FilesTransferred;
            r.ReplyBytesTotal = s.ReplyBytesTotal;
            r.ReplyBytesTransferred = s.ReplyBytesTransferred;
            r.ErrorCode = s.ErrorCode;
            r.ErrorContext = s.ErrorContext;
            r.BytesPerSecond = s.BytesPerSecond;
            r.EtaSeconds = s.EtaSeconds;
            return r;
        }

        public BW_PROGRESS GetProgress()
        {
            BW_PROGRESS p = BW_PROGRESS.Create();
            BitsWatchException.Check(NativeMethods.BwJobGetProgress(handle, ref p), "BwJobGetProgress");
            return p;
        }

        // Throws with HResult BW_E_NOT_UPLOAD_REPLY on a job that has no reply.
        public BW_REPLY_PROGRESS GetReplyProgress()
        {
            BW_REPLY_PROGRESS p = BW_REPLY_PROGRESS.Create();
            BitsWatchException.Check(NativeMethods.BwJobGetReplyProgress(handle, ref p), "BwJobGetReplyProgress");
            return p;
        }

        // The job's error; null when the job has none (BG_E_ERROR_INFORMATION_UNAVAILABLE).
        public JobError GetError()
        {
            BW_ERROR e = BW_ERROR.Create();
            try
            {
                int hr = NativeMethods.BwJobGetError(handle, ref e);
                if (hr == Codes.BG_E_ERROR_INFORMATION_UNAVAILABLE)
                    return null;
                BitsWatchException.Check(hr, "BwJobGetError");
                JobError r = new JobError();
                r.ErrorCode = e.ErrorCode;
                r.Context = e.Context;
                r.Description = PtrToString(e.Description);
                r.ContextDescription = PtrToString(e.ContextDescription);
                r.RemoteName = PtrToString(e.RemoteName);
                r.LocalName = PtrToString(e.LocalName);
                r.Protocol = PtrToString(e.Protocol);
                return r;
            }
            finally
            {
                NativeMethods.BwFreeError(ref e);
            }
        }

        // BwJobDiagnose (flags: BW_DIAGNOSE_NO_QUEUE = 1 when noQueue).
        public Diagnosis Diagnose(bool noQueue)
        {
            BW_DIAGNOSIS d = BW_DIAGNOSIS.Create();
            try
            {
                BitsWatchException.Check(NativeMethods.BwJobDiagnose(handle, noQueue ? 1u : 0u, ref d), "BwJobDiagnose");
                Diagnosis r = new Diagnosis();
                r.VerdictCode = d.Verdict;
                r.Verdict = Marshal.PtrToStringUni(NativeMethods.BwVerdictName(d.Verdict));
                r.State = d.State;
                r.RoundTrips = d.RoundTrips;
                r.Timestamp = FromFileTime(d.Timestamp);
                r.Since = FromFileTime(d.Since);
                r.Due = FromFileTime(d.Due);
                r.ErrorCode = d.ErrorCode;
                r.ErrorContext = d.ErrorContext;
                r.Explanation = PtrToString(d.Explanation);
                string evidence = PtrToString(d.Evidence);
                r.Evidence = string.IsNullOrEmpty(evidence) ? new string[0] : evidence.Split('\n');
                r.Action = PtrToString(d.Action);
                return r;
            }
            finally
            {
                NativeMethods.BwFreeDiagnosis(ref d);
            }
        }

        public JobInfo GetInfo()
        {
            BW_INFO i = BW_INFO.Create();
            try
            {
                BitsWatchException.Check(NativeMethods.BwJobGetInfo(handle, ref i), "BwJobGetInfo");
                JobInfo r = new JobInfo();
                r.JobId = i.JobId;
                r.Type = i.Type;
                r.Priority = i.Priority;
                r.ErrorCount = i.ErrorCount;
                r.DisplayName = PtrToString(i.DisplayName);
                r.Description = PtrToString(i.Description);
                r.Owner = PtrToString(i.Owner);
                r.CreationTime = FromFileTime(i.CreationTime);
                r.ModificationTime = FromFileTime(i.ModificationTime);
                r.TransferCompletionTime = FromFileTime(i.TransferCompletionTime);
                return r;
            }
            finally
            {
                NativeMethods.BwFreeInfo(ref i);
            }
        }

        public void Complete()
        {
            BitsWatchException.Check(NativeMethods.BwJobComplete(handle), "BwJobComplete");
        }

        public void Cancel()
        {
            BitsWatchException.Check(NativeMethods.BwJobCancel(handle), "BwJobCancel");
        }

        public void Suspend()
        {
            BitsWatchException.Check(NativeMethods.BwJobSuspend(handle), "BwJobSuspend");
        }

        public void Resume()
        {
            BitsWatchException.Check(NativeMethods.BwJobResume(handle), "BwJobResume");
        }

        public void Dispose()
        {
            if (System.Threading.Interlocked.Exchange(ref disposed, 1) == 0)
                System.Threading.Interlocked.Decrement(ref openCount);
            handle.Dispose();
        }

        // The GUIDs of the caller's jobs (every user's with allUsers: administrators only).
        public static Guid[] EnumJobs(bool allUsers)
        {
            uint flags = allUsers ? Codes.BW_ENUM_ALL_USERS : 0;
            uint count;
            int hr = NativeMethods.BwEnumJobs(flags, null, 0, out count);
            // Jobs come and go between the calls: retry while the buffer is short.
            for (int attempt = 0; attempt < 16; attempt++)
            {
                if (hr < 0 && hr != Codes.ERROR_MORE_DATA)
                    throw BitsWatchException.FromHResult(hr, "BwEnumJobs");
                if (hr >= 0 && count == 0)
                    return new Guid[0];
                Guid[] ids = new Guid[count + 8];
                uint got;
                hr = NativeMethods.BwEnumJobs(flags, ids, (uint)ids.Length, out got);
                if (hr >= 0)
                {
                    Guid[] result = new Guid[got];
                    Array.Copy(ids, result, (int)got);
                    return result;
                }
                count = got;
            }
            throw BitsWatchException.FromHResult(hr, "BwEnumJobs");
        }

        public static string StateName(uint state)
        {
            IntPtr p = NativeMethods.BwStateName(state);
            return p == IntPtr.Zero ? "Unknown" : Marshal.PtrToStringUni(p);
        }

        public static uint Version
        {
            get { return NativeMethods.BwGetVersion(); }
        }

        // A pointer field (8 bytes on x86 and x64) as a string; null for NULL.
        public static string PtrToString(ulong pointer)
        {
            if (pointer == 0)
                return null;
            return Marshal.PtrToStringUni(ToIntPtr(pointer, IntPtr.Size));
        }

        // A pointer field as an IntPtr for a process with pointerSize-byte
        // pointers. In a 32-bit process new IntPtr(long) throws above 2 GB (a
        // large-address-aware host), so the low 32 bits go through int.
        public static IntPtr ToIntPtr(ulong pointer, int pointerSize)
        {
            if (pointerSize == 4)
                return new IntPtr(unchecked((int)(uint)pointer));
            return new IntPtr(unchecked((long)pointer));
        }

        // A FILETIME (UTC) as a DateTime; null for 0 (unknown).
        public static DateTime? FromFileTime(ulong fileTime)
        {
            if (fileTime == 0 || fileTime > (ulong)DateTime.MaxValue.ToFileTimeUtc())
                return null;
            return DateTime.FromFileTimeUtc((long)fileTime);
        }
    }
}
