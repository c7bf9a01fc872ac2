/*
 * test_lazy.c - lazy.c: an object made on first use is made once and the
 * same one is returned after; several threads asking at once get the same
 * one (the race itself runs under ThreadSanitizer in test_first_use).
 */
#include "test_common.h"
#include "test_thread.h"

static _Atomic(bw__mutex *) g_m;
static _Atomic(bw__cond *) g_c;

typedef struct asker {
    bw__mutex *m;
    bw__cond *c;
} asker;

static void asker_main(void *p)
{
    asker *a = p;
    a->m = bw__lazy_mutex(&g_m);
    a->c = bw__lazy_cond(&g_c);
}

static void made_once_and_the_same_for_every_thread(void **state)
{
    enum { N = 8 };
    asker as[N];
    test_thread_start ss[N];
    test_thread ts[N];
    for (unsigned i = 0; i < N; i++) {
        ss[i].fn = asker_main;
        ss[i].arg = &as[i];
        ts[i] = test_thread_run(&ss[i]);
    }
    for (unsigned i = 0; i < N; i++)
        test_thread_join(ts[i]);
    bw__mutex *m = bw__lazy_mutex(&g_m);
    bw__cond *c = bw__lazy_cond(&g_c);
    assert_non_null(m);
    assert_non_null(c);
    for (unsigned i = 0; i < N; i++) {
        assert_ptr_equal(as[i].m, m);
        assert_ptr_equal(as[i].c, c);
    }
    /* Usable: a timed wait on the made pair returns. */
    bw__mutex_lock(m);
    bw__cond_wait_ms(c, m, 1);
    bw__mutex_unlock(m);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(made_once_and_the_same_for_every_thread),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
