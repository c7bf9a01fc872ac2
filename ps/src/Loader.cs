// Loader.cs - loads bitswatch.dll by full path, once per process, so that the
// declarations of Interop.cs bind to it.
//
// C# 5 only (every file of ps/src/): importing from the source tree compiles
// these files with Add-Type, and Windows PowerShell 5.1's Add-Type uses the
// old compiler (no string interpolation, no ?., no nameof, no expression-bodied
// members, no auto-property initializers). The package ships them compiled
// (BitsWatch.Native.csproj: BitsWatch.Native.dll, signed) and as source.
using System;
using System.ComponentModel;
using System.Reflection;
using System.Runtime.InteropServices;

namespace BitsWatch.Native
{
    // Loads the native library by full path, so that the DllImports of
    // Interop.cs bind to it.
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

        // What this assembly was made from: a hash of BitsWatch.Native.dll
        // (the package's compiled assembly) or of the src/*.cs files (the
        // source tree, compiled by Add-Type), set once by the module after
        // loading it, so a later import of a different release can tell the
        // session's types are not its own.
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
}
