// Model.cs - the managed model the module's scripts use: job states, the
// exception of a failed HRESULT, and what a poll, an error or an info read
// returned. Job.cs and Queue.cs hold the two objects that own handles.
//
// C# 5 only (every file of ps/src/): importing from the source tree compiles
// these files with Add-Type, and Windows PowerShell 5.1's Add-Type uses the
// old compiler (no string interpolation, no ?., no nameof, no expression-bodied
// members, no auto-property initializers). The package ships them compiled
// (BitsWatch.Native.csproj: BitsWatch.Native.dll, signed) and as source.
using System;

namespace BitsWatch.Native
{
    // BG_JOB_STATE: the State of a JobStatus. The names are BITS' own (and
    // BwStateName's, and what BitsWatch.JobStatus objects show).
    public enum JobState : uint
    {
        Queued = 0,
        Connecting = 1,
        Transferring = 2,
        Suspended = 3,
        Error = 4,
        TransientError = 5,
        Transferred = 6,
        Acknowledged = 7,
        Cancelled = 8
    }

    // A failed HRESULT, with the library's text for it. (No [Serializable]
    // constructor: it is obsolete on .NET 8, and PowerShell 7's Add-Type treats
    // warnings as errors.)
    public class BitsWatchException : Exception
    {
        public BitsWatchException(int hr, string message) : base(message)
        {
            HResult = hr;
        }

        public BitsWatchException(int hr, string message, Exception inner) : base(message, inner)
        {
            HResult = hr;
        }

        // The text BwFormatMessage gives for hr (never empty).
        public static string FormatMessage(int hr)
        {
            uint needed;
            int rc = NativeMethods.BwFormatMessage(hr, null, 0, out needed);
            if (needed == 0)
                return string.Format("HRESULT 0x{0:X8}", hr);
            for (int attempt = 0; attempt < 3; attempt++)
            {
                char[] buffer = new char[needed];
                rc = NativeMethods.BwFormatMessage(hr, buffer, (uint)buffer.Length, out needed);
                if (rc >= 0)
                {
                    int len = Array.IndexOf(buffer, '\0');
                    return new string(buffer, 0, len < 0 ? buffer.Length : len);
                }
                if (rc != Codes.ERROR_INSUFFICIENT_BUFFER)
                    break;
            }
            return string.Format("HRESULT 0x{0:X8}", hr);
        }

        public static BitsWatchException FromHResult(int hr, string operation)
        {
            string text = FormatMessage(hr);
            string message = operation == null ? text : operation + ": " + text;
            return new BitsWatchException(hr, message);
        }

        // Throws for a failed HRESULT; returns it (S_OK, S_FALSE, ...) otherwise.
        public static int Check(int hr, string operation)
        {
            if (hr < 0)
                throw FromHResult(hr, operation);
            return hr;
        }
    }

    // What BwJobPoll returned, in managed form.
    public sealed class JobStatus
    {
        public Guid JobId { get; internal set; }
        public bool Changed { get; internal set; }
        public uint ChangedFlags { get; internal set; }
        public JobState State { get; internal set; }
        public string StateName { get; internal set; }
        public uint Type { get; internal set; }
        public ulong Sequence { get; internal set; }
        public DateTime Timestamp { get; internal set; }
        public ulong BytesTotal { get; internal set; }      // BW_SIZE_UNKNOWN when unknown
        public ulong BytesTransferred { get; internal set; }
        public uint FilesTotal { get; internal set; }
        public uint FilesTransferred { get; internal set; }
        public ulong ReplyBytesTotal { get; internal set; }
        public ulong ReplyBytesTransferred { get; internal set; }
        public int ErrorCode { get; internal set; }
        public uint ErrorContext { get; internal set; }
        public double BytesPerSecond { get; internal set; }
        public long EtaSeconds { get; internal set; }       // -1 when unknown

        // True in TRANSFERRED, ERROR, ACKNOWLEDGED and CANCELLED: nothing moves
        // on its own any more.
        public bool IsFinal
        {
            get
            {
                return State == JobState.Error || State == JobState.Transferred ||
                    State == JobState.Acknowledged || State == JobState.Cancelled;
            }
        }
    }

    public sealed class JobError
    {
        public int ErrorCode { get; internal set; }
        public uint Context { get; internal set; }
        public string Description { get; internal set; }
        public string ContextDescription { get; internal set; }
        public string RemoteName { get; internal set; }
        public string LocalName { get; internal set; }
        public string Protocol { get; internal set; }
    }

    public sealed class JobInfo
    {
        public Guid JobId { get; internal set; }
        public uint Type { get; internal set; }
        public uint Priority { get; internal set; }
        public uint ErrorCount { get; internal set; }
        public string DisplayName { get; internal set; }
        public string Description { get; internal set; }
        public string Owner { get; internal set; }
        public DateTime? CreationTime { get; internal set; }
        public DateTime? ModificationTime { get; internal set; }
        public DateTime? TransferCompletionTime { get; internal set; }
    }

    // Text for people, by the library's rules (the CLI uses the same):
    // BwCleanText for text that came from BITS, BwFormatBytes,
    // BwFormatDuration.
    public static class Text
    {
        // Escape sequences removed whole, other controls and the bidirectional
        // overrides dropped, white space folded; null stays null.
        public static string Clean(string text)
        {
            if (text == null)
                return null;
            return Call("BwCleanText", delegate(char[] b, uint n, out uint need) { return NativeMethods.BwCleanText(text, b, n, out need); },
                text.Length + 1);
        }

        public static string FormatBytes(ulong bytes)
        {
            return Call("BwFormatBytes", delegate(char[] b, uint n, out uint need) { return NativeMethods.BwFormatBytes(bytes, b, n, out need); }, 32);
        }

        public static string FormatDuration(ulong seconds)
        {
            return Call("BwFormatDuration", delegate(char[] b, uint n, out uint need) { return NativeMethods.BwFormatDuration(seconds, b, n, out need); }, 32);
        }

        private delegate int Formatter(char[] buffer, uint cch, out uint needed);

        // One call, and a second with the size the first asked for.
        private static string Call(string name, Formatter f, int size)
        {
            char[] buffer = new char[size];
            uint needed;
            int hr = f(buffer, (uint)buffer.Length, out needed);
            if (hr != Codes.S_OK && needed > buffer.Length)
            {
                buffer = new char[needed];
                hr = f(buffer, (uint)buffer.Length, out needed);
            }
            BitsWatchException.Check(hr, name);
            return new string(buffer, 0, (int)needed - 1);
        }
    }

    // What BwJobDiagnose said about a job, in managed form: the verdict's
    // name and code, one line of explanation, the evidence ("Name: value"
    // lines), one line of action, and the times (UTC; null when unknown).
    public sealed class Diagnosis
    {
        public uint VerdictCode { get; internal set; }
        public string Verdict { get; internal set; }
        public uint State { get; internal set; }
        public uint RoundTrips { get; internal set; }
        public DateTime? Timestamp { get; internal set; }
        public DateTime? Since { get; internal set; }
        public DateTime? Due { get; internal set; }
        public int ErrorCode { get; internal set; }
        public uint ErrorContext { get; internal set; }
        public string Explanation { get; internal set; }
        public string[] Evidence { get; internal set; }
        public string Action { get; internal set; }
    }

    // What Queue.Poll returned, in managed form: the jobs in the queue after
    // the poll (BwQueueGetJobs, in GUID order) and those that arrived or left
    // since the previous poll on the same Queue (the first poll: every job
    // arrived). Changed: BwQueuePoll said S_OK.
    public sealed class QueueStatus
    {
        public bool Changed { get; internal set; }
        public uint JobCount { get; internal set; }
        public uint AddedCount { get; internal set; }
        public uint RemovedCount { get; internal set; }
        public ulong Sequence { get; internal set; }
        public DateTime Timestamp { get; internal set; }
        public Guid[] JobIds { get; internal set; }
        public Guid[] Added { get; internal set; }
        public Guid[] Removed { get; internal set; }
    }

    // One job's part of a Job.PollMany: its status (Changed: BwJobPollMany
    // said S_OK for it), or Failure (its status is then null).
    public sealed class PollResult
    {
        public Job Job { get; internal set; }
        public bool Changed { get; internal set; }
        public JobStatus Status { get; internal set; }
        public BitsWatchException Failure { get; internal set; }
    }
}
