// WatchJob.cs - print a BITS job's live status until it finishes, through
// P/Invoke into bitswatch.dll (put the DLL of the process' architecture next
// to the program, or on PATH).
//
//   csc WatchJob.cs   (or: mcs WatchJob.cs)
//   WatchJob.exe <job GUID>
using System;
using System.Runtime.InteropServices;
using System.Text;

static class WatchJob
{
    // Layout of bitswatch.h's BW_STATUS (identical on x86 and x64).
    [StructLayout(LayoutKind.Sequential)]
    struct BW_STATUS
    {
        public uint cbSize, State, Type, Changed;
        public ulong Sequence, Timestamp, BytesTotal, BytesTransferred;
        public uint FilesTotal, FilesTransferred;
        public ulong ReplyBytesTotal, ReplyBytesTransferred;
        public int ErrorCode;
        public uint ErrorContext;
        public double BytesPerSecond;
        public long EtaSeconds;
    }

    const string Dll = "bitswatch.dll";
    const int S_OK = 0;
    const ulong SizeUnknown = ulong.MaxValue;
    const uint Transferred = 6, Acknowledged = 7, Error = 4, Cancelled = 8;

    [DllImport(Dll, CallingConvention = CallingConvention.StdCall, ExactSpelling = true)]
    static extern uint BwGetVersion();
    [DllImport(Dll, CallingConvention = CallingConvention.StdCall, ExactSpelling = true, CharSet = CharSet.Unicode)]
    static extern int BwJobOpen(string jobId, out IntPtr job);
    [DllImport(Dll, CallingConvention = CallingConvention.StdCall, ExactSpelling = true)]
    static extern int BwJobPoll(IntPtr job, uint timeoutMs, ref BW_STATUS status);
    [DllImport(Dll, CallingConvention = CallingConvention.StdCall, ExactSpelling = true)]
    static extern int BwJobClose(IntPtr job);
    [DllImport(Dll, CallingConvention = CallingConvention.StdCall, ExactSpelling = true, CharSet = CharSet.Unicode)]
    static extern int BwFormatMessage(int hr, StringBuilder buffer, uint cch, out uint needed);
    [DllImport(Dll, CallingConvention = CallingConvention.StdCall, ExactSpelling = true)]
    static extern IntPtr BwStateName(uint state);   // static text: never freed

    static string Message(int hr)
    {
        StringBuilder sb = new StringBuilder(512);
        uint needed;
        BwFormatMessage(hr, sb, (uint)sb.Capacity, out needed);
        return sb.ToString();
    }

    static int Main(string[] args)
    {
        if (args.Length != 1)
        {
            Console.Error.WriteLine("usage: WatchJob <job GUID>");
            return 2;
        }
        uint v = BwGetVersion();
        Console.WriteLine("bitswatch {0}.{1}.{2}", v >> 16, (v >> 8) & 0xFF, v & 0xFF);

        IntPtr job;
        int hr = BwJobOpen(args[0], out job);
        int rc = 1;
        try
        {
            while (hr >= 0)
            {
                BW_STATUS st = new BW_STATUS();
                st.cbSize = (uint)Marshal.SizeOf(typeof(BW_STATUS));
                hr = BwJobPoll(job, 1000, ref st);      // waits up to 1 s for a change
                if (hr < 0)
                    break;
                if (hr == S_OK)                        // S_FALSE (1): nothing changed
                {
                    string total = st.BytesTotal == SizeUnknown ? "?" : st.BytesTotal.ToString();
                    Console.Write("{0,-14} {1} / {2} bytes, {3}/{4} files",
                        Marshal.PtrToStringUni(BwStateName(st.State)),
                        st.BytesTransferred, total, st.FilesTransferred, st.FilesTotal);
                    if (st.BytesPerSecond > 0)
                        Console.Write(", {0:F0} B/s", st.BytesPerSecond);
                    if (st.EtaSeconds >= 0)
                        Console.Write(", ETA {0}s", st.EtaSeconds);
                    if (st.ErrorCode != 0)
                        Console.Write(", error 0x{0:X8}: {1}", st.ErrorCode, Message(st.ErrorCode));
                    Console.WriteLine();
                }
                if (st.State == Transferred || st.State == Acknowledged) { rc = 0; break; }
                if (st.State == Error || st.State == Cancelled) break;
            }
            if (hr < 0)
                Console.Error.WriteLine("0x{0:X8}: {1}", hr, Message(hr));
        }
        finally
        {
            BwJobClose(job);                           // IntPtr.Zero is fine
        }
        return rc;
    }
}
