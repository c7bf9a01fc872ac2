// bwpshost: PowerShell 7.6 for Windows in one self-contained folder, so the
// BitsWatch module can be run under Wine against Wine's real BITS.
//
//   bwpshost.exe [pwsh arguments]          the real console host (ConsoleShell,
//                                          what pwsh.exe runs): -NoProfile
//                                          -NonInteractive -File x.ps1 ...
//   bwpshost.exe --runspace x.ps1 [args]   the hosting API instead: the script
//                                          runs in a runspace of this process;
//                                          output, errors and progress records
//                                          are printed; a fallback should the
//                                          console host not start under Wine.
//   bwpshost.exe --info                    runtime, OS and architecture.
//
// Exit code: the script's (`exit N`), 1 when it threw or wrote a terminating
// error, 2 on usage, 70 when PowerShell itself could not start.
using System;
using System.Collections.Generic;
using System.Management.Automation;
using System.Management.Automation.Runspaces;
using System.Runtime.InteropServices;

namespace BitsWatch.Tests.PsHost
{
    internal static class Program
    {
        private static int Main(string[] args)
        {
            try
            {
                if (args.Length == 1 && args[0] == "--info")
                    return Info();
                if (args.Length >= 1 && args[0] == "--runspace")
                    return args.Length >= 2 ? RunInRunspace(args[1], args[2..]) : Usage();
                EnsureConsole();
                return Microsoft.PowerShell.ConsoleShell.Start(
                    "bwpshost (BitsWatch tests)", "bwpshost: pwsh arguments", args);
            }
            catch (Exception e)
            {
                Console.Error.WriteLine("bwpshost: PowerShell could not start: " + e);
                return 70;
            }
        }

        // The console host asks for "the active console output buffer" and fails
        // with "Invalid handle" (0x6) in a process without a console, which is
        // what Wine gives a program whose stdio are pipes. Give it one and keep
        // the redirected standard handles, so output still goes to the pipes.
        private static void EnsureConsole()
        {
            if (!OperatingSystem.IsWindows() || HasConsole())
                return;
            IntPtr hin = GetStdHandle(-10), hout = GetStdHandle(-11), herr = GetStdHandle(-12);
            bool attached = AttachConsole(unchecked((uint)-1)) && HasConsole();
            int error = 0;
            if (!attached)
            {
                FreeConsole();
                if (!AllocConsole())
                    error = Marshal.GetLastWin32Error();
            }
            // Before any Console use: .NET keeps the first handles it sees.
            SetStdHandle(-10, hin);
            SetStdHandle(-11, hout);
            SetStdHandle(-12, herr);
            Trace("console: attached=" + attached + " AllocConsole error=" + error + " now=" + HasConsole());
        }

        // What ConsoleHost itself opens: CONOUT$ read/write.
        private static bool HasConsole()
        {
            IntPtr h = CreateFileW("CONOUT$", 0xC0000000u, 3u, IntPtr.Zero, 3u, 0u, IntPtr.Zero);
            if (h == new IntPtr(-1))
                return false;
            CloseHandle(h);
            return true;
        }

        private static void Trace(string text)
        {
            if (Environment.GetEnvironmentVariable("BWPSHOST_TRACE") == "1")
                Console.Error.WriteLine("bwpshost: " + text);
        }

        [DllImport("kernel32.dll", CharSet = CharSet.Unicode, SetLastError = true)]
        private static extern IntPtr CreateFileW(string name, uint access, uint share, IntPtr sa,
                                                 uint disposition, uint flags, IntPtr template);
        [DllImport("kernel32.dll")] private static extern bool CloseHandle(IntPtr h);
        [DllImport("kernel32.dll")] private static extern bool FreeConsole();
        [DllImport("kernel32.dll", SetLastError = true)] private static extern bool AllocConsole();
        [DllImport("kernel32.dll", SetLastError = true)] private static extern bool AttachConsole(uint pid);
        [DllImport("kernel32.dll")] private static extern IntPtr GetStdHandle(int which);
        [DllImport("kernel32.dll")] private static extern bool SetStdHandle(int which, IntPtr handle);

        private static int Usage()
        {
            Console.Error.WriteLine("usage: bwpshost [pwsh arguments] | --runspace <script.ps1> [args] | --info");
            return 2;
        }

        private static int Info()
        {
            Console.WriteLine("runtime: " + RuntimeInformation.FrameworkDescription);
            Console.WriteLine("os: " + RuntimeInformation.OSDescription);
            Console.WriteLine("process: " + RuntimeInformation.ProcessArchitecture);
            Console.WriteLine("powershell: " + typeof(PSObject).Assembly.GetName().Version);
            return 0;
        }

        // The script as a command of a fresh runspace; `exit N` in a script file
        // ends it and sets $LASTEXITCODE, which becomes ours.
        private static int RunInRunspace(string script, string[] rest)
        {
            var iss = InitialSessionState.CreateDefault2();
            iss.ExecutionPolicy = Microsoft.PowerShell.ExecutionPolicy.Bypass;
            using var rs = RunspaceFactory.CreateRunspace(iss);
            rs.Open();
            using var ps = PowerShell.Create();
            ps.Runspace = rs;
            ps.Streams.Error.DataAdded += (s, e) =>
                Console.Error.WriteLine("ERROR: " + ps.Streams.Error[e.Index]);
            ps.Streams.Warning.DataAdded += (s, e) =>
                Console.Error.WriteLine("WARNING: " + ps.Streams.Warning[e.Index]);
            ps.Streams.Verbose.DataAdded += (s, e) =>
                Console.Error.WriteLine("VERBOSE: " + ps.Streams.Verbose[e.Index]);
            ps.Streams.Information.DataAdded += (s, e) =>
                Console.WriteLine(ps.Streams.Information[e.Index]);
            ps.Streams.Progress.DataAdded += (s, e) =>
            {
                var p = ps.Streams.Progress[e.Index];
                Console.Error.WriteLine($"PROGRESS: id={p.ActivityId} {p.RecordType} {p.Activity}: {p.StatusDescription} ({p.PercentComplete}%)");
            };
            ps.AddCommand(script);
            // -Name value pairs become named parameters, a -Name alone a switch,
            // anything else a positional argument (as pwsh -File passes them).
            for (int i = 0; i < rest.Length; i++)
            {
                string a = rest[i];
                if (a.Length > 1 && a[0] == '-')
                {
                    if (i + 1 < rest.Length && !(rest[i + 1].Length > 1 && rest[i + 1][0] == '-'))
                        ps.AddParameter(a.Substring(1), rest[++i]);
                    else
                        ps.AddParameter(a.Substring(1));
                }
                else
                {
                    ps.AddArgument(a);
                }
            }
            var output = new PSDataCollection<PSObject>();
            output.DataAdded += (s, e) => Console.WriteLine(output[e.Index]);
            try
            {
                ps.Invoke(null, output);
            }
            catch (RuntimeException e)
            {
                Console.Error.WriteLine("bwpshost: the script threw: " + e.ErrorRecord);
                return 1;
            }
            using var ps2 = PowerShell.Create();
            ps2.Runspace = rs;
            ps2.AddScript("$LASTEXITCODE");
            var r = ps2.Invoke();
            if (r.Count == 1 && r[0]?.BaseObject is int code)
                return code;
            return ps.HadErrors ? 1 : 0;
        }
    }
}
