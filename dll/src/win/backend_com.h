/*
 * backend_com.h - the COM backend's seams for tests (tests/com).
 *
 * The backend itself is bw__default_backend (bw_backend.h). It holds one
 * process-wide IBackgroundCopyManager, created on first use by a factory:
 * CoCreateInstance of BITS by default, fake COM objects in tests.
 */
#ifndef BW_BACKEND_COM_H
#define BW_BACKEND_COM_H

#include <windows.h>
#include <bits.h>

#include "bw_backend.h"

extern const bw__backend bw__default_backend;

typedef HRESULT (*bw__com_manager_factory)(IBackgroundCopyManager **out);

/* Replaces the factory (NULL restores CoCreateInstance) and drops the
 * current manager, so the next call creates one with the new factory. Jobs
 * opened before keep their own interface pointers. */
void bw__com_set_manager_factory(bw__com_manager_factory factory);

/* Drops the current manager (releases the library's reference), once the
 * worker thread has released the jobs closed before (bw__com_flush). */
void bw__com_reset(void);
/* Tests: how the details read decides it runs on Wine (whose retry delay
 * and no-progress timeout are stand-ins): -1 asks ntdll (the default), 0
 * and 1 decide. */
void bw__com_test_set_wine(int wine);

/* How many managers the factory has made, for tests of reconnection. */
LONG bw__com_manager_generation(void);

#endif /* BW_BACKEND_COM_H */
