/*
 * bitswatch_compat.h - the Windows types the public header speaks.
 *
 * On Windows they come from <windows.h>. The native (Linux) test build of the
 * portable core defines the same types here with the same sizes, so struct
 * layouts and strings are identical on both sides. WCHAR is always 16-bit
 * UTF-16 (char16_t), never the 32-bit Linux wchar_t.
 */
#ifndef BITSWATCH_COMPAT_H
#define BITSWATCH_COMPAT_H

#ifdef _WIN32
#ifndef WIN32_LEAN_AND_MEAN
#define WIN32_LEAN_AND_MEAN
#endif
#include <windows.h>
#define BWAPI __stdcall
#else /* !_WIN32: native test build */
#include <stdint.h>
#include <uchar.h>

/* Native build: bitswatch.h declares the exports with default visibility. */
#define BWAPI

typedef char16_t WCHAR;
typedef int32_t HRESULT;
typedef uint32_t UINT32;
typedef int32_t INT32;
typedef uint64_t UINT64;
typedef int64_t INT64;

#ifndef GUID_DEFINED
#define GUID_DEFINED
typedef struct _GUID {
    uint32_t Data1;
    uint16_t Data2;
    uint16_t Data3;
    uint8_t Data4[8];
} GUID;
#endif

#define S_OK ((HRESULT)0)
#define S_FALSE ((HRESULT)1)
#define E_NOTIMPL ((HRESULT)0x80004001L)
#define E_NOINTERFACE ((HRESULT)0x80004002L)
#define E_POINTER ((HRESULT)0x80004003L)
#define E_FAIL ((HRESULT)0x80004005L)
#define E_UNEXPECTED ((HRESULT)0x8000FFFFL)
#define E_ACCESSDENIED ((HRESULT)0x80070005L)
#define E_HANDLE ((HRESULT)0x80070006L)
#define E_OUTOFMEMORY ((HRESULT)0x8007000EL)
#define E_INVALIDARG ((HRESULT)0x80070057L)
#define SUCCEEDED(hr) (((HRESULT)(hr)) >= 0)
#define FAILED(hr) (((HRESULT)(hr)) < 0)
#define HRESULT_FROM_WIN32(x) \
    ((HRESULT)(x) <= 0 ? (HRESULT)(x) : (HRESULT)(((x) & 0x0000FFFF) | (7 << 16) | 0x80000000))
#define ERROR_MORE_DATA 234L
#define ERROR_INSUFFICIENT_BUFFER 122L
#endif /* _WIN32 */

#endif /* BITSWATCH_COMPAT_H */
