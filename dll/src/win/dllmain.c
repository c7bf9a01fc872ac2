/*
 * dllmain.c - the DLL's entry point.
 *
 * Nothing heavy may run under the loader lock: no COM, no threads, no
 * waits. Everything the library needs is set up lazily on first use.
 */
#include <windows.h>

BOOL WINAPI DllMain(HINSTANCE instance, DWORD reason, void *reserved)
{
    /* The library keeps no per-thread state: spare every thread start and
     * exit in the process a call into this module. */
    if (reason == DLL_PROCESS_ATTACH)
        DisableThreadLibraryCalls(instance);
    return TRUE;
}
