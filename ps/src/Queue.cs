// Queue.cs - an open view of the BITS queue (BwQueueOpen ... BwQueueClose).
//
// C# 5 only (every file of ps/src/): importing from the source tree compiles
// these files with Add-Type, and Windows PowerShell 5.1's Add-Type uses the
// old compiler (no string interpolation, no ?., no nameof, no expression-bodied
// members, no auto-property initializers). The package ships them compiled
// (BitsWatch.Native.csproj: BitsWatch.Native.dll, signed) and as source.
using System;
using System.Collections.Generic;

namespace BitsWatch.Native
{
    // An open view of the queue (BwQueueOpen): which jobs arrive and which
    // leave, from the library's census (a count every 100 ms, the list when
    // it moved), without a round trip per job. Every failed HRESULT becomes
    // a BitsWatchException.
    public sealed class Queue : IDisposable
    {
        private readonly SafeQueueHandle handle;
        private readonly bool allUsers;
        private readonly object gate = new object();
        private Guid[] known = new Guid[0];   // the list the last poll reported
        private int disposed;
        private static int openCount;

        private Queue(SafeQueueHandle handle, bool allUsers)
        {
            this.handle = handle;
            this.allUsers = allUsers;
            System.Threading.Interlocked.Increment(ref openCount);
        }

        // Queues opened in this process and not yet disposed (see Job.OpenCount).
        internal static int OpenCount
        {
            get { return System.Threading.Volatile.Read(ref openCount); }
        }

        public bool AllUsers
        {
            get { return allUsers; }
        }

        public SafeQueueHandle Handle
        {
            get { return handle; }
        }

        // The caller's jobs, or every user's with allUsers (administrators
        // only: E_ACCESSDENIED).
        public static Queue Open(bool allUsers)
        {
            SafeQueueHandle h;
            int hr = NativeMethods.BwQueueOpen(allUsers ? Codes.BW_ENUM_ALL_USERS : 0, out h);
            if (hr < 0)
            {
                if (h != null)
                    h.Dispose();
                throw BitsWatchException.FromHResult(hr, "BwQueueOpen");
            }
            return new Queue(h, allUsers);
        }

        public static BitsWatchException TryOpen(bool allUsers, out Queue queue)
        {
            queue = null;
            try
            {
                queue = Open(allUsers);
                return null;
            }
            catch (BitsWatchException e)
            {
                return e;
            }
        }

        // Waits up to timeoutMs (0: not at all; Codes.INFINITE: no limit) for
        // the list of jobs to change, then reads it. Status.Added and Removed
        // are the GUIDs that arrived and left since the previous Poll.
        // One Poll at a time on a Queue (the list it compares with is its own).
        public QueueStatus Poll(uint timeoutMs)
        {
            lock (gate)
            {
                BW_QUEUE_STATUS s = BW_QUEUE_STATUS.Create();
                int hr = BitsWatchException.Check(NativeMethods.BwQueuePoll(handle, timeoutMs, ref s), "BwQueuePoll");
                QueueStatus r = new QueueStatus();
                r.Changed = hr == Codes.S_OK;
                r.JobCount = s.JobCount;
                r.AddedCount = s.Added;
                r.RemovedCount = s.Removed;
                r.Sequence = s.Sequence;
                r.Timestamp = Job.FromFileTime(s.Timestamp) ?? DateTime.UtcNow;
                Guid[] now = r.Changed ? GetJobs() : known;
                r.JobIds = now;
                r.Added = Except(now, known);
                r.Removed = Except(known, now);
                known = now;
                return r;
            }
        }

        public BitsWatchException TryPoll(uint timeoutMs, out QueueStatus status)
        {
            status = null;
            try
            {
                status = Poll(timeoutMs);
                return null;
            }
            catch (BitsWatchException e)
            {
                return e;
            }
        }

        // The GUIDs the last Poll reported (after Open, before any Poll: those
        // of the first census), in GUID order. No round trip to BITS.
        public Guid[] GetJobs()
        {
            uint count;
            int hr = NativeMethods.BwQueueGetJobs(handle, null, 0, out count);
            // The list changes only at a poll; retry anyway if another thread polled.
            for (int attempt = 0; attempt < 16; attempt++)
            {
                if (hr < 0 && hr != Codes.ERROR_MORE_DATA)
                    throw BitsWatchException.FromHResult(hr, "BwQueueGetJobs");
                if (hr >= 0 && count == 0)
                    return new Guid[0];
                Guid[] ids = new Guid[count];
                uint got;
                hr = NativeMethods.BwQueueGetJobs(handle, ids, (uint)ids.Length, out got);
                if (hr >= 0)
                {
                    if (got == ids.Length)
                        return ids;
                    Guid[] result = new Guid[got];
                    Array.Copy(ids, result, (int)got);
                    return result;
                }
                count = got;
            }
            throw BitsWatchException.FromHResult(hr, "BwQueueGetJobs");
        }

        private static Guid[] Except(Guid[] a, Guid[] b)
        {
            HashSet<Guid> other = new HashSet<Guid>(b);
            List<Guid> r = new List<Guid>();
            foreach (Guid g in a)
            {
                if (!other.Contains(g))
                    r.Add(g);
            }
            return r.ToArray();
        }

        public void Dispose()
        {
            if (System.Threading.Interlocked.Exchange(ref disposed, 1) == 0)
                System.Threading.Interlocked.Decrement(ref openCount);
            handle.Dispose();
        }
    }
}
