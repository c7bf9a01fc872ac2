// Interop.cs - the C ABI of bitswatch.dll as C# sees it: the structs of
// dll/include/bitswatch.h, its codes, the handles (SafeHandles that close
// themselves) and one P/Invoke declaration per export of def/bitswatch.def.
//
// C# 5 only (every file of ps/src/): importing from the source tree compiles
// these files with Add-Type, and Windows PowerShell 5.1's Add-Type uses the
// old compiler (no string interpolation, no ?., no nameof, no expression-bodied
// members, no auto-property initializers). The package ships them compiled
// (BitsWatch.Native.csproj: BitsWatch.Native.dll, signed) and as source.
//
// The DLL is named "bitswatch.dll" without a path: the module loads it by full
// path first (Loader.cs), so every DllImport below binds to that
// already-loaded library. Struct layouts follow dll/include/bitswatch.h:
// pointer fields are 8 bytes on x86 and x64 alike (padded on x86), so they are
// declared as ulong and turned into IntPtr when read (Job.PtrToString).
using System;
using System.Runtime.InteropServices;

namespace BitsWatch.Native
{
    [StructLayout(LayoutKind.Sequential)]
    public struct BW_PROGRESS
    {
        public uint cbSize;
        public uint FilesTotal;
        public uint FilesTransferred;
        public uint Reserved;
        public ulong BytesTotal;
        public ulong BytesTransferred;

        public static BW_PROGRESS Create()
        {
            BW_PROGRESS p = new BW_PROGRESS();
            p.cbSize = (uint)Marshal.SizeOf(typeof(BW_PROGRESS));
            return p;
        }
    }

    [StructLayout(LayoutKind.Sequential)]
    public struct BW_REPLY_PROGRESS
    {
        public uint cbSize;
        public uint Reserved;
        public ulong BytesTotal;
        public ulong BytesTransferred;

        public static BW_REPLY_PROGRESS Create()
        {
            BW_REPLY_PROGRESS p = new BW_REPLY_PROGRESS();
            p.cbSize = (uint)Marshal.SizeOf(typeof(BW_REPLY_PROGRESS));
            return p;
        }
    }

    [StructLayout(LayoutKind.Sequential)]
    public struct BW_STATUS
    {
        public uint cbSize;
        public uint State;
        public uint Type;
        public uint Changed;
        public ulong Sequence;
        public ulong Timestamp;
        public ulong BytesTotal;
        public ulong BytesTransferred;
        public uint FilesTotal;
        public uint FilesTransferred;
        public ulong ReplyBytesTotal;
        public ulong ReplyBytesTransferred;
        public int ErrorCode;
        public uint ErrorContext;
        public double BytesPerSecond;
        public long EtaSeconds;

        public static BW_STATUS Create()
        {
            BW_STATUS s = new BW_STATUS();
            s.cbSize = (uint)Marshal.SizeOf(typeof(BW_STATUS));
            return s;
        }
    }

    // What BwQueuePoll saw (version 0.2).
    [StructLayout(LayoutKind.Sequential)]
    public struct BW_QUEUE_STATUS
    {
        public uint cbSize;
        public uint JobCount;
        public uint Added;
        public uint Removed;
        public ulong Sequence;
        public ulong Timestamp;

        public static BW_QUEUE_STATUS Create()
        {
            BW_QUEUE_STATUS s = new BW_QUEUE_STATUS();
            s.cbSize = (uint)Marshal.SizeOf(typeof(BW_QUEUE_STATUS));
            return s;
        }
    }

    [StructLayout(LayoutKind.Sequential)]
    public struct BW_ERROR
    {
        public uint cbSize;
        public int ErrorCode;
        public uint Context;
        public uint Reserved;
        public ulong Description;          // WCHAR*, padded to 8 bytes on x86
        public ulong ContextDescription;
        public ulong RemoteName;
        public ulong LocalName;
        public ulong Protocol;

        public static BW_ERROR Create()
        {
            BW_ERROR e = new BW_ERROR();
            e.cbSize = (uint)Marshal.SizeOf(typeof(BW_ERROR));
            return e;
        }
    }

    [StructLayout(LayoutKind.Sequential)]
    public struct BW_INFO
    {
        public uint cbSize;
        public uint Type;
        public Guid JobId;
        public uint Priority;
        public uint ErrorCount;
        public ulong DisplayName;          // WCHAR*, padded to 8 bytes on x86
        public ulong Description;
        public ulong Owner;
        public ulong CreationTime;
        public ulong ModificationTime;
        public ulong TransferCompletionTime;

        public static BW_INFO Create()
        {
            BW_INFO i = new BW_INFO();
            i.cbSize = (uint)Marshal.SizeOf(typeof(BW_INFO));
            return i;
        }
    }

    // One file of a job (BW_FILE, version 0.3): an element of BW_DETAILS.Files.
    [StructLayout(LayoutKind.Sequential)]
    public struct BW_FILE
    {
        public ulong BytesTotal;
        public ulong BytesTransferred;
        public uint Completed;
        public uint Reserved;
        public ulong RemoteName;           // WCHAR*, padded to 8 bytes on x86
        public ulong LocalName;
    }

    // BwJobGetDetails' transfer settings and files (version 0.3).
    [StructLayout(LayoutKind.Sequential)]
    public struct BW_DETAILS
    {
        public uint cbSize;
        public uint Known;
        public uint MinimumRetryDelay;
        public uint NoProgressTimeout;
        public uint ProxyUsage;
        public uint CostFlags;
        public uint FileCount;
        public uint Reserved;
        public ulong ProxyList;            // WCHAR*
        public ulong ProxyBypassList;      // WCHAR*
        public ulong Files;                // BW_FILE*

        public static BW_DETAILS Create()
        {
            BW_DETAILS d = new BW_DETAILS();
            d.cbSize = (uint)Marshal.SizeOf(typeof(BW_DETAILS));
            return d;
        }
    }

    // BwJobDiagnose's verdict with its explanation, evidence and action (version 0.3).
    [StructLayout(LayoutKind.Sequential)]
    public struct BW_DIAGNOSIS
    {
        public uint cbSize;
        public uint Verdict;
        public uint State;
        public uint RoundTrips;
        public ulong Timestamp;
        public ulong Since;
        public ulong Due;
        public int ErrorCode;
        public uint ErrorContext;
        public ulong Explanation;          // WCHAR*
        public ulong Evidence;             // WCHAR*: "Name: value" lines joined by "\n"
        public ulong Action;               // WCHAR*

        public static BW_DIAGNOSIS Create()
        {
            BW_DIAGNOSIS d = new BW_DIAGNOSIS();
            d.cbSize = (uint)Marshal.SizeOf(typeof(BW_DIAGNOSIS));
            return d;
        }
    }

    // Values of the header.
    public static class Codes
    {
        public const int S_OK = 0;
        public const int S_FALSE = 1;
        public const int E_POINTER = unchecked((int)0x80004003);
        public const int E_ACCESSDENIED = unchecked((int)0x80070005);
        public const int E_HANDLE = unchecked((int)0x80070006);
        public const int E_INVALIDARG = unchecked((int)0x80070057);
        public const int ERROR_MORE_DATA = unchecked((int)0x800700EA);
        public const int ERROR_INSUFFICIENT_BUFFER = unchecked((int)0x8007007A);
        public const int BG_E_NOT_FOUND = unchecked((int)0x80200001);
        public const int BG_E_ERROR_INFORMATION_UNAVAILABLE = unchecked((int)0x8020000F);
        public const int BW_E_NOT_UPLOAD_REPLY = unchecked((int)0xA0B70001);

        public const uint BW_CHANGED_STATE = 0x1;
        public const uint BW_CHANGED_PROGRESS = 0x2;
        public const uint BW_CHANGED_REPLY = 0x4;
        public const uint BW_CHANGED_ERROR = 0x8;
        public const uint BW_CHANGED_ALL = 0xF;

        public const uint BW_ENUM_ALL_USERS = 0x1;
        public const ulong BW_SIZE_UNKNOWN = ulong.MaxValue;
        public const uint INFINITE = 0xFFFFFFFF;       // BW_INFINITE
    }

    // An open BW_JOB. Closing it (Dispose, or the finalizer) calls BwJobClose.
    public sealed class SafeJobHandle : SafeHandle
    {
        public SafeJobHandle() : base(IntPtr.Zero, true)
        {
        }

        // Wraps an existing value; ownsHandle false leaves it open on Dispose.
        public SafeJobHandle(IntPtr existing, bool ownsHandle) : base(IntPtr.Zero, ownsHandle)
        {
            SetHandle(existing);
        }

        public override bool IsInvalid
        {
            get { return handle == IntPtr.Zero; }
        }

        protected override bool ReleaseHandle()
        {
            return NativeMethods.BwJobClose(handle) == Codes.S_OK;
        }
    }

    // An open BW_QUEUE. Closing it (Dispose, or the finalizer) calls BwQueueClose.
    public sealed class SafeQueueHandle : SafeHandle
    {
        public SafeQueueHandle() : base(IntPtr.Zero, true)
        {
        }

        // Wraps an existing value; ownsHandle false leaves it open on Dispose.
        public SafeQueueHandle(IntPtr existing, bool ownsHandle) : base(IntPtr.Zero, ownsHandle)
        {
            SetHandle(existing);
        }

        public override bool IsInvalid
        {
            get { return handle == IntPtr.Zero; }
        }

        protected override bool ReleaseHandle()
        {
            return NativeMethods.BwQueueClose(handle) == Codes.S_OK;
        }
    }

    // One declaration per export of def/bitswatch.def. Internal: users (and
    // the module's scripts) go through Job and Queue, which turn every failed
    // HRESULT into a BitsWatchException and own the handles.
    internal static class NativeMethods
    {
        public const string DllName = "bitswatch.dll";

        [DllImport(DllName, CallingConvention = CallingConvention.StdCall, CharSet = CharSet.Unicode, ExactSpelling = true, PreserveSig = true)]
        public static extern uint BwGetVersion();

        [DllImport(DllName, CallingConvention = CallingConvention.StdCall, CharSet = CharSet.Unicode, ExactSpelling = true, PreserveSig = true)]
        public static extern int BwJobOpen(string jobId, out SafeJobHandle job);

        [DllImport(DllName, CallingConvention = CallingConvention.StdCall, CharSet = CharSet.Unicode, ExactSpelling = true, PreserveSig = true)]
        public static extern int BwJobOpenById(ref Guid jobId, out SafeJobHandle job);

        // Takes the raw value: SafeJobHandle.ReleaseHandle calls it.
        [DllImport(DllName, CallingConvention = CallingConvention.StdCall, CharSet = CharSet.Unicode, ExactSpelling = true, PreserveSig = true)]
        public static extern int BwJobClose(IntPtr job);

        [DllImport(DllName, CallingConvention = CallingConvention.StdCall, CharSet = CharSet.Unicode, ExactSpelling = true, PreserveSig = true)]
        public static extern int BwJobPoll(SafeJobHandle job, uint timeoutMs, ref BW_STATUS status);

        // A set wait: raw handle values (keep their SafeJobHandles alive and
        // DangerousAddRef'd for the call); statuses[i].cbSize set by the caller.
        [DllImport(DllName, CallingConvention = CallingConvention.StdCall, CharSet = CharSet.Unicode, ExactSpelling = true, PreserveSig = true)]
        public static extern int BwJobPollMany(IntPtr[] jobs, uint count, uint timeoutMs, [In, Out] BW_STATUS[] statuses, [Out] int[] results, out uint changedCount);

        [DllImport(DllName, CallingConvention = CallingConvention.StdCall, CharSet = CharSet.Unicode, ExactSpelling = true, PreserveSig = true)]
        public static extern int BwJobGetProgress(SafeJobHandle job, ref BW_PROGRESS progress);

        [DllImport(DllName, CallingConvention = CallingConvention.StdCall, CharSet = CharSet.Unicode, ExactSpelling = true, PreserveSig = true)]
        public static extern int BwJobGetReplyProgress(SafeJobHandle job, ref BW_REPLY_PROGRESS progress);

        [DllImport(DllName, CallingConvention = CallingConvention.StdCall, CharSet = CharSet.Unicode, ExactSpelling = true, PreserveSig = true)]
        public static extern int BwJobComplete(SafeJobHandle job);

        [DllImport(DllName, CallingConvention = CallingConvention.StdCall, CharSet = CharSet.Unicode, ExactSpelling = true, PreserveSig = true)]
        public static extern int BwJobCancel(SafeJobHandle job);

        [DllImport(DllName, CallingConvention = CallingConvention.StdCall, CharSet = CharSet.Unicode, ExactSpelling = true, PreserveSig = true)]
        public static extern int BwJobSuspend(SafeJobHandle job);

        [DllImport(DllName, CallingConvention = CallingConvention.StdCall, CharSet = CharSet.Unicode, ExactSpelling = true, PreserveSig = true)]
        public static extern int BwJobResume(SafeJobHandle job);

        // Free the strings with BwFreeError, also after a failure.
        [DllImport(DllName, CallingConvention = CallingConvention.StdCall, CharSet = CharSet.Unicode, ExactSpelling = true, PreserveSig = true)]
        public static extern int BwJobGetError(SafeJobHandle job, ref BW_ERROR error);

        [DllImport(DllName, CallingConvention = CallingConvention.StdCall, CharSet = CharSet.Unicode, ExactSpelling = true, PreserveSig = true)]
        public static extern void BwFreeError(ref BW_ERROR error);

        // Free the strings with BwFreeInfo.
        [DllImport(DllName, CallingConvention = CallingConvention.StdCall, CharSet = CharSet.Unicode, ExactSpelling = true, PreserveSig = true)]
        public static extern int BwJobGetInfo(SafeJobHandle job, ref BW_INFO info);

        [DllImport(DllName, CallingConvention = CallingConvention.StdCall, CharSet = CharSet.Unicode, ExactSpelling = true, PreserveSig = true)]
        public static extern void BwFreeInfo(ref BW_INFO info);

        // ids may be null (with capacity 0) to ask for the count.
        [DllImport(DllName, CallingConvention = CallingConvention.StdCall, CharSet = CharSet.Unicode, ExactSpelling = true, PreserveSig = true)]
        public static extern int BwEnumJobs(uint flags, [Out] Guid[] ids, uint capacity, out uint count);

        // The queue, watched: flags BW_ENUM_ALL_USERS or 0.
        [DllImport(DllName, CallingConvention = CallingConvention.StdCall, CharSet = CharSet.Unicode, ExactSpelling = true, PreserveSig = true)]
        public static extern int BwQueueOpen(uint flags, out SafeQueueHandle queue);

        [DllImport(DllName, CallingConvention = CallingConvention.StdCall, CharSet = CharSet.Unicode, ExactSpelling = true, PreserveSig = true)]
        public static extern int BwQueuePoll(SafeQueueHandle queue, uint timeoutMs, ref BW_QUEUE_STATUS status);

        // ids may be null (with capacity 0) to ask for the count, as BwEnumJobs.
        [DllImport(DllName, CallingConvention = CallingConvention.StdCall, CharSet = CharSet.Unicode, ExactSpelling = true, PreserveSig = true)]
        public static extern int BwQueueGetJobs(SafeQueueHandle queue, [Out] Guid[] ids, uint capacity, out uint count);

        // Takes the raw value: SafeQueueHandle.ReleaseHandle calls it.
        [DllImport(DllName, CallingConvention = CallingConvention.StdCall, CharSet = CharSet.Unicode, ExactSpelling = true, PreserveSig = true)]
        public static extern int BwQueueClose(IntPtr queue);

        // buffer may be null with cch 0 (to ask for the size, NUL included).
        [DllImport(DllName, CallingConvention = CallingConvention.StdCall, CharSet = CharSet.Unicode, ExactSpelling = true, PreserveSig = true)]
        public static extern int BwFormatMessage(int hr, [Out] char[] buffer, uint cch, out uint needed);

        // Static text owned by the DLL: returned as IntPtr so the marshaller never frees it.
        [DllImport(DllName, CallingConvention = CallingConvention.StdCall, CharSet = CharSet.Unicode, ExactSpelling = true, PreserveSig = true)]
        public static extern IntPtr BwStateName(uint state);

        // The one state model (BW_STATE_FLAG_*) and the names of BITS' values:
        // static text owned by the DLL, returned as IntPtr.
        [DllImport(DllName, CallingConvention = CallingConvention.StdCall, CharSet = CharSet.Unicode, ExactSpelling = true, PreserveSig = true)]
        public static extern uint BwStateFlags(uint state);

        [DllImport(DllName, CallingConvention = CallingConvention.StdCall, CharSet = CharSet.Unicode, ExactSpelling = true, PreserveSig = true)]
        public static extern IntPtr BwTypeName(uint type);

        [DllImport(DllName, CallingConvention = CallingConvention.StdCall, CharSet = CharSet.Unicode, ExactSpelling = true, PreserveSig = true)]
        public static extern IntPtr BwPriorityName(uint priority);

        [DllImport(DllName, CallingConvention = CallingConvention.StdCall, CharSet = CharSet.Unicode, ExactSpelling = true, PreserveSig = true)]
        public static extern IntPtr BwContextName(uint context);

        // Text for people with BwFormatMessage's buffer rules (buffer may be
        // null with cch 0 to ask for the size, NUL included).
        [DllImport(DllName, CallingConvention = CallingConvention.StdCall, CharSet = CharSet.Unicode, ExactSpelling = true, PreserveSig = true)]
        public static extern int BwCleanText(string text, [Out] char[] buffer, uint cch, out uint needed);

        [DllImport(DllName, CallingConvention = CallingConvention.StdCall, CharSet = CharSet.Unicode, ExactSpelling = true, PreserveSig = true)]
        public static extern int BwFormatBytes(ulong bytes, [Out] char[] buffer, uint cch, out uint needed);

        [DllImport(DllName, CallingConvention = CallingConvention.StdCall, CharSet = CharSet.Unicode, ExactSpelling = true, PreserveSig = true)]
        public static extern int BwFormatDuration(ulong seconds, [Out] char[] buffer, uint cch, out uint needed);

        // Why a job is stuck (version 0.3). Free with BwFreeDetails /
        // BwFreeDiagnosis, also after a failure.
        [DllImport(DllName, CallingConvention = CallingConvention.StdCall, CharSet = CharSet.Unicode, ExactSpelling = true, PreserveSig = true)]
        public static extern int BwJobGetDetails(SafeJobHandle job, ref BW_DETAILS details);

        [DllImport(DllName, CallingConvention = CallingConvention.StdCall, CharSet = CharSet.Unicode, ExactSpelling = true, PreserveSig = true)]
        public static extern void BwFreeDetails(ref BW_DETAILS details);

        [DllImport(DllName, CallingConvention = CallingConvention.StdCall, CharSet = CharSet.Unicode, ExactSpelling = true, PreserveSig = true)]
        public static extern int BwJobDiagnose(SafeJobHandle job, uint flags, ref BW_DIAGNOSIS diagnosis);

        [DllImport(DllName, CallingConvention = CallingConvention.StdCall, CharSet = CharSet.Unicode, ExactSpelling = true, PreserveSig = true)]
        public static extern void BwFreeDiagnosis(ref BW_DIAGNOSIS diagnosis);

        [DllImport(DllName, CallingConvention = CallingConvention.StdCall, CharSet = CharSet.Unicode, ExactSpelling = true, PreserveSig = true)]
        public static extern IntPtr BwVerdictName(uint verdict);
    }
}
