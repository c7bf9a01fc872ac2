/*
 * test_first_use.c - the first calls of a fresh process, made by 8 threads at
 * once: the library's lazily made globals (the wait-any condition, the read
 * budget's lock, the census) must be made once and seen whole by every
 * thread. Its own executable, since a process makes them only once; natively
 * it forks a fresh child per round so ThreadSanitizer (stage tsan) sees 20
 * first uses, not one. Under Wine one round runs.
 */
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>

#include "fake_backend.h"
#include "test_common.h"
#include "test_thread.h"

#ifndef _WIN32
#include <sys/wait.h>
#include <unistd.h>
#endif

enum { THREADS = 8, ROUNDS = 20 };

typedef struct racer {
    fake_job *job;
    atomic_int *go;
    HRESULT hr;
} racer;

static void racer_main(void *p)
{
    racer *r = p;
    BW_JOB h = NULL;
    BW_STATUS st;
    HRESULT res;
    while (!atomic_load(r->go))
        ;
    r->hr = BwJobOpenById(&r->job->id, &h);
    if (FAILED(r->hr))
        return;
    st.cbSize = sizeof st;
    r->hr = BwJobPollMany(&h, 1, 20, &st, &res, NULL);
    if (SUCCEEDED(r->hr))
        r->hr = res;
    BwJobClose(h);
}

/* One round: 8 threads released together make their first calls. */
static void one_round(void)
{
    static atomic_int go;
    atomic_store(&go, 0);
    racer rs[THREADS];
    test_thread_start ss[THREADS];
    test_thread ts[THREADS];
    fake_backend_install();
    for (unsigned i = 0; i < THREADS; i++) {
        rs[i].job = fake_job_add(BW_TYPE_DOWNLOAD);
        rs[i].go = &go;
        rs[i].hr = E_FAIL;
        ss[i].fn = racer_main;
        ss[i].arg = &rs[i];
        ts[i] = test_thread_run(&ss[i]);
    }
    atomic_store(&go, 1);
    for (unsigned i = 0; i < THREADS; i++)
        test_thread_join(ts[i]);
    for (unsigned i = 0; i < THREADS; i++)
        assert_hr(S_OK, rs[i].hr); /* the first read reports every group */
    assert_int_equal(bw__handle_count(), 0);
    fake_backend_uninstall();
}

static void eight_threads_make_their_first_calls_at_once(void **state)
{
#ifdef _WIN32
    one_round();
#else
    for (unsigned round = 0; round < ROUNDS; round++) {
        fflush(NULL);
        pid_t pid = fork();
        assert_true(pid >= 0);
        if (pid == 0) {
            one_round();
            _exit(0);
        }
        int status = 0;
        assert_int_equal(waitpid(pid, &status, 0), pid);
        if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
            fail_msg("round %u: the child failed (status 0x%x)", round, (unsigned)status);
    }
#endif
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(eight_threads_make_their_first_calls_at_once),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
