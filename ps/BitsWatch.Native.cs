// BitsWatch.Native.cs - the P/Invoke declarations of bitswatch.dll and a small
// managed wrapper over them.
//
// C# 5 only: Windows PowerShell 5.1 compiles Add-Type code with the old
// compiler (no string interpolation, no ?., no nameof, no expression-bodied
// members, no auto-property initializers).
//
// The DLL is named "bitswatch.dll" without a path: the module loads it by full
// path first (Loader.Load: LoadLibraryExW; or Loader.LoadOverride: a
// DllImportResolver where the runtime has one), so every DllImport below binds
// to that already-loaded library. Struct layouts follow dll/include/bitswatch.h:
// pointer fields are 8 bytes on x86 and x64 alike (padded on x86), so they are
// declared as ulong and turned into IntPtr when read.
using System;
using System.Collections.Generic;
using System.ComponentModel;
using System.Reflection;
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

    // One declaration per export of def/bitswatch.def.
    public static class NativeMethods
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
    }

    // Loads the native library by full path, so that the DllImports above bind
    // to it.
    //
    // Load (the module's way on Windows): LoadLibraryExW; Windows then binds
    // DllImport("bitswatch.dll") to the loaded module of that base name.
    //
    // LoadOverride (BITSWATCH_NATIVE_LIBRARY: tests, side-by-side installs, and
    // Linux, where the simulator library is libbitswatch_sim.so): on .NET Core
    // 3+ NativeLibrary.Load and a DllImportResolver for this assembly that maps
    // "bitswatch.dll" to that handle, whatever the file is called. Both are
    // reached by reflection: this file must compile as C# 5 against .NET
    // Framework 4.5 (Windows PowerShell 5.1's Add-Type), which has neither.
    // There, LoadOverride falls back to LoadLibraryExW (the file must then be
    // named bitswatch.dll).
    //
    // One library per session: the runtime binds each DllImport once, so a
    // second, different library cannot take over (LoadedPath tells which).
    public static class Loader
    {
        private const uint LOAD_WITH_ALTERED_SEARCH_PATH = 0x00000008;

        [DllImport("kernel32.dll", CharSet = CharSet.Unicode, ExactSpelling = true, SetLastError = true)]
        private static extern IntPtr LoadLibraryExW(string fileName, IntPtr reserved, uint flags);

        private static readonly object gate = new object();
        private static IntPtr module;
        private static string modulePath;
        private static string sourceHash;
        private static IntPtr resolved;     // what Resolve gives for "bitswatch.dll"

        public static IntPtr Module
        {
            get { return module; }
        }

        // The full path of the library loaded in this session; null before.
        public static string LoadedPath
        {
            get { return modulePath; }
        }

        // What the module compiled this assembly from (a hash of
        // BitsWatch.Native.cs, set once by the module after Add-Type), so a
        // later import of a different release can tell its types are stale.
        public static string SourceHash
        {
            get { return sourceHash; }
            set
            {
                lock (gate)
                {
                    if (sourceHash == null)
                        sourceHash = value;
                }
            }
        }

        // Throws Win32Exception (with the system's text) when the DLL cannot be
        // loaded, InvalidOperationException when another library is loaded.
        public static IntPtr Load(string fullPath)
        {
            return Load(fullPath, false);
        }

        // The override: see the class comment.
        public static IntPtr LoadOverride(string fullPath)
        {
            return Load(fullPath, true);
        }

        private static IntPtr Load(string fullPath, bool useResolver)
        {
            if (fullPath == null)
                throw new ArgumentNullException("fullPath");
            lock (gate)
            {
                if (module != IntPtr.Zero)
                {
                    if (!string.Equals(modulePath, fullPath, StringComparison.Ordinal))
                        throw new InvalidOperationException("This session already uses " + modulePath +
                            "; it cannot switch to " + fullPath + ". Start a new session.");
                    return module;
                }
                IntPtr h = IntPtr.Zero;
                if (useResolver)
                    h = LoadWithResolver(fullPath);
                if (h == IntPtr.Zero)
                    h = LoadWindows(fullPath);
                module = h;
                modulePath = fullPath;
                return h;
            }
        }

        private static IntPtr LoadWindows(string fullPath)
        {
            IntPtr h = LoadLibraryExW(fullPath, IntPtr.Zero, LOAD_WITH_ALTERED_SEARCH_PATH);
            if (h == IntPtr.Zero)
            {
                int err = Marshal.GetLastWin32Error();
                throw new Win32Exception(err, "Cannot load " + fullPath + ": " + new Win32Exception(err).Message);
            }
            return h;
        }

        // NativeLibrary.Load + SetDllImportResolver; IntPtr.Zero when the
        // runtime has no NativeLibrary (.NET Framework, mono).
        private static IntPtr LoadWithResolver(string fullPath)
        {
            Assembly core = typeof(object).Assembly;
            Type nativeLibrary = core.GetType("System.Runtime.InteropServices.NativeLibrary");
            Type resolverType = core.GetType("System.Runtime.InteropServices.DllImportResolver");
            if (nativeLibrary == null || resolverType == null)
                return IntPtr.Zero;
            MethodInfo load = nativeLibrary.GetMethod("Load", new Type[] { typeof(string) });
            MethodInfo setResolver = nativeLibrary.GetMethod("SetDllImportResolver", new Type[] { typeof(Assembly), resolverType });
            MethodInfo resolve = typeof(Loader).GetMethod("Resolve", BindingFlags.NonPublic | BindingFlags.Static);
            if (load == null || setResolver == null || resolve == null)
                return IntPtr.Zero;
            IntPtr h;
            try
            {
                h = (IntPtr)load.Invoke(null, new object[] { fullPath });
            }
            catch (TargetInvocationException e)
            {
                // DllNotFoundException/BadImageFormatException with the loader's text.
                throw new DllNotFoundException("Cannot load " + fullPath + ": " + e.InnerException.Message, e.InnerException);
            }
            resolved = h;
            Delegate resolver = Delegate.CreateDelegate(resolverType, resolve);
            setResolver.Invoke(null, new object[] { typeof(Loader).Assembly, resolver });
            return h;
        }

        // The DllImportResolver: "bitswatch.dll" is the overriding library;
        // anything else (kernel32.dll) goes the default way.
        private static IntPtr Resolve(string libraryName, Assembly assembly, DllImportSearchPath? searchPath)
        {
            if (string.Equals(libraryName, NativeMethods.DllName, StringComparison.OrdinalIgnoreCase))
                return resolved;
            return IntPtr.Zero;
        }

        // "major.minor.patch" of a BwGetVersion value.
        public static string VersionText(uint version)
        {
            return string.Format("{0}.{1}.{2}", version >> 16, (version >> 8) & 0xFF, version & 0xFF);
        }
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
        public uint State { get; internal set; }
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
            get { return State == 4 || State >= 6; }
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
        public static int OpenCount
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

    // One job's part of a Job.PollMany: its status (Changed: BwJobPollMany
    // said S_OK for it), or Failure (its status is then null).
    public sealed class PollResult
    {
        public Job Job { get; internal set; }
        public bool Changed { get; internal set; }
        public JobStatus Status { get; internal set; }
        public BitsWatchException Failure { get; internal set; }
    }

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
        // tests check that every command disposes what it opened.
        public static int OpenCount
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

        // The Try* methods return the failure instead of throwing it, so a
        // PowerShell caller handles an expected failure (a job that is gone)
        // without an exception landing in $Error (and in -ErrorVariable).
        public static BitsWatchException TryOpen(Guid jobId, out Job job)
        {
            job = null;
            try
            {
                job = Open(jobId);
                return null;
            }
            catch (BitsWatchException e)
            {
                return e;
            }
        }

        public BitsWatchException TryPoll(uint timeoutMs, out JobStatus status)
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

        public BitsWatchException TryGetInfo(out JobInfo info)
        {
            info = null;
            try
            {
                info = GetInfo();
                return null;
            }
            catch (BitsWatchException e)
            {
                return e;
            }
        }

        public BitsWatchException TryGetError(out JobError error)
        {
            error = null;
            try
            {
                error = GetError();
                return null;
            }
            catch (BitsWatchException e)
            {
                return e;
            }
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
        // one call per wait slice, not one per job.
        public static long NativePollCount
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
            r.State = s.State;
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
