/*
 * sim_scenario.c - the scenario text (README.md) to a sim_scenario.
 *
 * Strict on purpose: a test that mistypes a state or a key must see its
 * mistake (one line on stderr naming file:line, and no jobs at all), not a
 * scenario that half-happened.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim_scenario.h"

#define SIM_MAX_TOKENS 32

/* A token: a bare word, or key=value; text (of the word or of the value) is
 * decoded to UTF-16 (quotes and escapes removed). */
typedef struct token {
    char key[64];     /* the word before '=', or the whole word when !has_value */
    int has_value;
    WCHAR *value;     /* malloc'd UTF-16, NUL-terminated (words too) */
    size_t value_len;
} token;

typedef struct parser {
    const char *file;
    unsigned line;
    int failed;
    sim_scenario *s;
    sim_job *job;      /* the job the next `at` line belongs to */
    size_t jobs_cap, keys_cap, strings_cap, down_cap;
} parser;

static void fail(parser *p, const char *fmt, ...)
{
    va_list ap;
    if (p->failed)
        return; /* one line per load: the first mistake */
    p->failed = 1;
    fprintf(stderr, "bitswatch_sim: %s:%u: ", p->file, p->line);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
    fflush(stderr);
}

static void *grow(void *array, size_t *cap, size_t need, size_t size)
{
    if (need <= *cap)
        return array;
    size_t n = *cap ? *cap * 2 : 8;
    while (n < need)
        n *= 2;
    void *bigger = realloc(array, n * size);
    if (bigger)
        *cap = n;
    return bigger;
}

/* ---- UTF-8 and escapes to UTF-16 ------------------------------------------ */

typedef struct wbuf {
    WCHAR *w;
    size_t len, cap;
} wbuf;

static int wbuf_put(wbuf *b, WCHAR c)
{
    WCHAR *w = grow(b->w, &b->cap, b->len + 2, sizeof(WCHAR));
    if (!w)
        return 0;
    b->w = w;
    b->w[b->len++] = c;
    b->w[b->len] = 0;
    return 1;
}

/* Decodes one UTF-8 sequence at *s (before end) into b as one or two UTF-16
 * units (a surrogate pair above U+FFFF). 0 on malformed UTF-8. */
static int put_utf8(wbuf *b, const unsigned char **s, const unsigned char *end)
{
    const unsigned char *p = *s;
    UINT32 cp;
    unsigned extra;
    if (p[0] < 0x80) {
        cp = p[0];
        extra = 0;
    } else if ((p[0] & 0xE0) == 0xC0) {
        cp = p[0] & 0x1F;
        extra = 1;
    } else if ((p[0] & 0xF0) == 0xE0) {
        cp = p[0] & 0x0F;
        extra = 2;
    } else if ((p[0] & 0xF8) == 0xF0) {
        cp = p[0] & 0x07;
        extra = 3;
    } else {
        return 0;
    }
    if ((size_t)(end - p) < extra + 1)
        return 0;
    for (unsigned i = 1; i <= extra; i++) {
        if ((p[i] & 0xC0) != 0x80)
            return 0;
        cp = (cp << 6) | (p[i] & 0x3F);
    }
    /* Overlong forms, surrogates and values past U+10FFFF are not UTF-8. */
    static const UINT32 min[] = {0, 0x80, 0x800, 0x10000};
    if (cp < min[extra] || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
        return 0;
    *s = p + extra + 1;
    if (cp >= 0x10000) {
        cp -= 0x10000;
        return wbuf_put(b, (WCHAR)(0xD800 + (cp >> 10))) && wbuf_put(b, (WCHAR)(0xDC00 + (cp & 0x3FF)));
    }
    return wbuf_put(b, (WCHAR)cp);
}

static int hex_digit(unsigned char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

/* Reads a "..." string (escapes \" \\ \n \t \uXXXX) or a '...' one (raw: no
 * escapes, for Windows paths and DOMAIN\user) at *s. 0 after fail(). */
static int read_quoted(parser *p, wbuf *b, const unsigned char **s, const unsigned char *end)
{
    unsigned char quote = **s;
    const unsigned char *c = *s + 1;
    for (;;) {
        if (c >= end) {
            fail(p, "string not closed (missing %c)", quote);
            return 0;
        }
        if (*c == quote) {
            *s = c + 1;
            return 1;
        }
        if (*c == '\\' && quote == '"') {
            if (c + 1 >= end) {
                fail(p, "string not closed (missing \")");
                return 0;
            }
            unsigned char e = c[1];
            WCHAR unit;
            if (e == '"' || e == '\\') {
                unit = e;
            } else if (e == 'n') {
                unit = '\n';
            } else if (e == 't') {
                unit = '\t';
            } else if (e == 'u') {
                int v = 0;
                for (int i = 0; i < 4; i++) {
                    int d = c + 2 + i < end ? hex_digit(c[2 + i]) : -1;
                    if (d < 0) {
                        fail(p, "\\u needs 4 hex digits (a backslash itself is \\\\, or use '...' for raw text)");
                        return 0;
                    }
                    v = v * 16 + d;
                }
                unit = (WCHAR)v;
                c += 4;
            } else {
                fail(p, "unknown escape \\%c in \"...\" (escapes: \\\" \\\\ \\n \\t \\uXXXX; "
                        "a backslash itself is \\\\, or use '...' for raw text)", e);
                return 0;
            }
            if (!wbuf_put(b, unit)) {
                fail(p, "out of memory");
                return 0;
            }
            c += 2;
            continue;
        }
        if (!put_utf8(b, &c, end)) {
            fail(p, "invalid UTF-8 in a string");
            return 0;
        }
    }
}

/* ---- Tokens --------------------------------------------------------------- */

static int is_space(unsigned char c) { return c == ' ' || c == '\t' || c == '\r'; }

static void tokens_free(token *t, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free(t[i].value);
}

/* Splits one line into tokens. Returns the count, or -1 after fail(). */
static int tokenize(parser *p, const unsigned char *s, const unsigned char *end, token *t)
{
    int n = 0;
    for (;;) {
        while (s < end && is_space(*s))
            s++;
        if (s >= end || *s == '#')
            return n;
        if (n == SIM_MAX_TOKENS) {
            fail(p, "too many items on one line (at most %d)", SIM_MAX_TOKENS);
            tokens_free(t, (size_t)n);
            return -1;
        }
        token *k = &t[n];
        memset(k, 0, sizeof *k);
        /* The word, or the key: ASCII up to '=', a blank or a comment. */
        size_t klen = 0;
        while (s < end && !is_space(*s) && *s != '=' && *s != '#') {
            if (*s == '"' || *s == '\'') {
                fail(p, "a quoted string must follow key= (as in name=\"...\")");
                break;
            }
            if (*s >= 0x80 || *s < 0x20) {
                fail(p, "a word must be ASCII (put text in key=\"...\")");
                break;
            }
            if (klen + 1 >= sizeof k->key) {
                fail(p, "word too long: %s...", k->key);
                break;
            }
            k->key[klen++] = (char)*s++;
            k->key[klen] = 0;
        }
        if (!p->failed && klen == 0)
            fail(p, "'=' without a key before it");
        wbuf b = {0};
        if (!p->failed && s < end && *s == '=') {
            s++;
            k->has_value = 1;
            if (s < end && (*s == '"' || *s == '\'')) {
                if (read_quoted(p, &b, &s, end) && s < end && !is_space(*s) && *s != '#')
                    fail(p, "%s=: text after the closing quote", k->key);
            } else {
                while (!p->failed && s < end && !is_space(*s) && *s != '#') {
                    if (*s == '"' || *s == '\'')
                        fail(p, "%s=: a quote inside an unquoted value", k->key);
                    else if (!put_utf8(&b, &s, end))
                        fail(p, "invalid UTF-8");
                }
            }
        } else if (!p->failed) {
            for (size_t i = 0; i < klen; i++)
                wbuf_put(&b, (WCHAR)(unsigned char)k->key[i]);
        }
        if (!p->failed && !b.w && !(b.w = calloc(1, sizeof(WCHAR)))) /* "" */
            fail(p, "out of memory");
        if (p->failed) {
            free(b.w);
            tokens_free(t, (size_t)n);
            return -1;
        }
        k->value = b.w;
        k->value_len = b.len;
        n++;
    }
}

/* ---- Values --------------------------------------------------------------- */

/* The value as ASCII (numbers, names) into buf; 0 when it is not ASCII. */
static int value_ascii(const token *t, char *buf, size_t cap)
{
    size_t i = 0;
    for (; i < t->value_len; i++) {
        if (t->value[i] == 0 || t->value[i] > 0x7E || i + 1 >= cap)
            return 0;
        buf[i] = (char)t->value[i];
    }
    buf[i] = 0;
    return 1;
}

/* Decimal digits only (no sign, no blanks); max bounds the value. */
static int parse_dec(const char *s, UINT64 max, UINT64 *out)
{
    UINT64 v = 0;
    if (!*s)
        return 0;
    for (; *s; s++) {
        if (*s < '0' || *s > '9')
            return 0;
        UINT64 d = (UINT64)(*s - '0');
        if (v > (max - d) / 10)
            return 0;
        v = v * 10 + d;
    }
    *out = v;
    return 1;
}

/* 0xHHHHHHHH or decimal, 32 bits. */
static int parse_u32_hex_or_dec(const char *s, UINT32 *out)
{
    UINT64 v = 0;
    if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
        s += 2;
        if (!*s)
            return 0;
        for (; *s; s++) {
            int d = hex_digit((unsigned char)*s);
            if (d < 0 || v > 0xFFFFFFFu)
                return 0;
            v = v * 16 + (UINT64)d;
        }
    } else if (!parse_dec(s, 0xFFFFFFFFu, &v)) {
        return 0;
    }
    *out = (UINT32)v;
    return 1;
}

/* <done>/<total> where total may be '?' (unknown) when allow_unknown. */
static int parse_pair(const char *s, int allow_unknown, UINT64 max, UINT64 *done, UINT64 *total)
{
    const char *slash = strchr(s, '/');
    char left[32];
    if (!slash || (size_t)(slash - s) >= sizeof left)
        return 0;
    memcpy(left, s, (size_t)(slash - s));
    left[slash - s] = 0;
    if (!parse_dec(left, max, done))
        return 0;
    if (allow_unknown && strcmp(slash + 1, "?") == 0) {
        *total = BW_SIZE_UNKNOWN;
        return 1;
    }
    if (!parse_dec(slash + 1, max, total))
        return 0;
    /* A done count past a known total is a typo, not a scenario. */
    return *done <= *total;
}

static int ieq(const char *a, const char *b)
{
    for (; *a && *b; a++, b++) {
        char x = *a >= 'a' && *a <= 'z' ? (char)(*a - 32) : *a;
        char y = *b >= 'a' && *b <= 'z' ? (char)(*b - 32) : *b;
        if (x != y)
            return 0;
    }
    return *a == *b;
}

static const char *const k_states[] = {
    "QUEUED", "CONNECTING", "TRANSFERRING", "SUSPENDED", "ERROR",
    "TRANSIENT_ERROR", "TRANSFERRED", "ACKNOWLEDGED", "CANCELLED",
};

static const char *const k_contexts[] = {
    "NONE", "UNKNOWN", "GENERAL_QUEUE_MANAGER", "QUEUE_MANAGER_NOTIFICATION",
    "LOCAL_FILE", "REMOTE_FILE", "GENERAL_TRANSPORT", "REMOTE_APPLICATION",
};

static int name_index(const char *const *names, size_t n, const char *s)
{
    for (size_t i = 0; i < n; i++)
        if (ieq(names[i], s))
            return (int)i;
    return -1;
}

/* Copies a token's UTF-16 value (malloc'd). */
static WCHAR *value_dup(parser *p, const token *t)
{
    WCHAR *w = bw__wcsdup(t->value);
    if (!w)
        fail(p, "out of memory");
    return w;
}

/* ---- Lines ---------------------------------------------------------------- */

static void line_job(parser *p, token *t, int n)
{
    sim_scenario *s = p->s;
    GUID id;
    if (n < 2 || t[1].has_value || !bw__guid_parse(t[1].value, &id) ||
        bw__wcsnlen(t[1].value, 40) != t[1].value_len) {
        fail(p, "job needs a GUID first, as in job {8-4-4-4-12 hex digits}");
        return;
    }
    for (size_t i = 0; i < s->njobs; i++) {
        if (memcmp(&s->jobs[i].id, &id, sizeof id) == 0) {
            fail(p, "job %s is already on line %u", t[1].key, s->jobs[i].line);
            return;
        }
    }
    sim_job *jobs = grow(s->jobs, &p->jobs_cap, s->njobs + 1, sizeof *jobs);
    if (!jobs) {
        fail(p, "out of memory");
        return;
    }
    s->jobs = jobs;
    sim_job *j = &jobs[s->njobs++];
    memset(j, 0, sizeof *j);
    j->id = id;
    j->line = p->line;
    j->type = BW_TYPE_DOWNLOAD;
    j->priority = 2; /* BG_JOB_PRIORITY_NORMAL, BITS' default */
    p->job = j;
    p->keys_cap = p->strings_cap = 0;

    for (int i = 2; i < n && !p->failed; i++) {
        char a[64];
        UINT64 v;
        if (!t[i].has_value) {
            fail(p, "job: '%s' is not key=value", t[i].key);
        } else if (strcmp(t[i].key, "type") == 0) {
            if (!value_ascii(&t[i], a, sizeof a))
                a[0] = 0;
            if (ieq(a, "download"))
                j->type = BW_TYPE_DOWNLOAD;
            else if (ieq(a, "upload"))
                j->type = BW_TYPE_UPLOAD;
            else if (ieq(a, "upload-reply"))
                j->type = BW_TYPE_UPLOAD_REPLY;
            else
                fail(p, "type= must be download, upload or upload-reply");
        } else if (strcmp(t[i].key, "name") == 0) {
            free(j->name);
            j->name = value_dup(p, &t[i]);
        } else if (strcmp(t[i].key, "description") == 0) {
            free(j->description);
            j->description = value_dup(p, &t[i]);
        } else if (strcmp(t[i].key, "owner") == 0) {
            free(j->owner);
            j->owner = value_dup(p, &t[i]);
        } else if (strcmp(t[i].key, "priority") == 0) {
            if (value_ascii(&t[i], a, sizeof a) && strcmp(a, "unknown") == 0)
                j->priority = BW_PRIORITY_UNKNOWN; /* a service that reports none (Wine) */
            else if (!value_ascii(&t[i], a, sizeof a) || !parse_dec(a, 3, &v))
                fail(p, "priority= must be 0 (foreground) .. 3 (low) or unknown");
            else
                j->priority = (UINT32)v;
        } else if (strcmp(t[i].key, "errors") == 0) {
            if (!value_ascii(&t[i], a, sizeof a) || !parse_dec(a, 0xFFFFFFFFu, &v))
                fail(p, "errors= must be a count");
            else
                j->errors = (UINT32)v;
        } else if (strcmp(t[i].key, "created") == 0) {
            if (!value_ascii(&t[i], a, sizeof a) || !parse_dec(a, (UINT64)1 << 53, &v))
                fail(p, "created= must be a time in ms (when another program creates the job)");
            else
                j->created_ms = v;
        } else {
            fail(p, "job: unknown key '%s' (type name description owner priority errors created)", t[i].key);
        }
    }
}

/* Keeps a string for the job's keys (freed with the job). */
static const WCHAR *job_string(parser *p, sim_job *j, const token *t)
{
    WCHAR **list = grow(j->strings, &p->strings_cap, j->nstrings + 1, sizeof *list);
    if (!list) {
        fail(p, "out of memory");
        return NULL;
    }
    j->strings = list;
    WCHAR *w = value_dup(p, t);
    if (w)
        list[j->nstrings++] = w;
    return w;
}

static void line_at(parser *p, token *t, int n)
{
    sim_job *j = p->job;
    char a[64];
    UINT64 ms;
    if (!j) {
        fail(p, "'at' before any 'job' line (at lines belong to the job above them)");
        return;
    }
    if (n < 3 || t[1].has_value || !value_ascii(&t[1], a, sizeof a) || !parse_dec(a, (UINT64)1 << 53, &ms)) {
        fail(p, "expected: at <ms> <STATE> [key=value...] or at <ms> gone");
        return;
    }

    /* Start from the job's last state (not a gone line): fields not given keep it. */
    sim_key k;
    memset(&k, 0, sizeof k);
    k.state = BW_STATE_QUEUED;
    k.bytes_total = BW_SIZE_UNKNOWN;
    k.reply_total = BW_SIZE_UNKNOWN;
    for (size_t i = j->nkeys; i-- > 0;) {
        if (!j->keys[i].gone) {
            k = j->keys[i];
            break;
        }
    }
    if (ms < j->created_ms) {
        fail(p, "at %llu comes before the job's created=%llu (it is not there yet)",
             (unsigned long long)ms, (unsigned long long)j->created_ms);
        return;
    }
    if (j->nkeys && ms < j->keys[j->nkeys - 1].at_ms) {
        fail(p, "at %llu comes before the previous at %llu of this job (times must not go back)",
             (unsigned long long)ms, (unsigned long long)j->keys[j->nkeys - 1].at_ms);
        return;
    }
    k.at_ms = ms;
    k.gone = 0;

    if (t[2].has_value || !value_ascii(&t[2], a, sizeof a)) {
        fail(p, "at %llu: expected a state or 'gone' after the time", (unsigned long long)ms);
        return;
    }
    if (ieq(a, "gone")) {
        if (n > 3) {
            fail(p, "at %llu gone takes nothing more", (unsigned long long)ms);
            return;
        }
        k.gone = 1;
    } else {
        int st = name_index(k_states, sizeof k_states / sizeof k_states[0], a);
        if (st < 0) {
            fail(p, "unknown state '%s' (QUEUED CONNECTING TRANSFERRING SUSPENDED ERROR "
                    "TRANSIENT_ERROR TRANSFERRED ACKNOWLEDGED CANCELLED, or gone)", a);
            return;
        }
        k.state = (UINT32)st;
    }

    for (int i = 3; i < n && !p->failed; i++) {
        const char *key = t[i].key;
        UINT64 done = 0, total = 0;
        UINT32 u = 0;
        int is_text = strcmp(key, "text") == 0 || strcmp(key, "remote") == 0 || strcmp(key, "local") == 0;
        if (!t[i].has_value) {
            fail(p, "at: '%s' is not key=value", key);
            return;
        }
        if (is_text) {
            const WCHAR *w = job_string(p, j, &t[i]);
            if (key[0] == 't')
                k.text = w;
            else if (key[0] == 'r')
                k.remote = w;
            else
                k.local = w;
            continue;
        }
        if (!value_ascii(&t[i], a, sizeof a)) {
            fail(p, "%s=: not a number", key);
            return;
        }
        if (strcmp(key, "bytes") == 0) {
            if (!parse_pair(a, 1, (UINT64)-2, &done, &total))
                fail(p, "bytes= must be <done>/<total> or <done>/? with done <= total");
            k.bytes_done = done;
            k.bytes_total = total;
        } else if (strcmp(key, "files") == 0) {
            if (!parse_pair(a, 0, 0xFFFFFFFFu, &done, &total))
                fail(p, "files= must be <done>/<total> with done <= total");
            k.files_done = (UINT32)done;
            k.files_total = (UINT32)total;
        } else if (strcmp(key, "reply") == 0) {
            if (j->type != BW_TYPE_UPLOAD_REPLY)
                fail(p, "reply= on a job that is not type=upload-reply");
            else if (!parse_pair(a, 1, (UINT64)-2, &done, &total))
                fail(p, "reply= must be <done>/<total> or <done>/? with done <= total");
            k.reply_done = done;
            k.reply_total = total;
        } else if (strcmp(key, "error") == 0) {
            if (!parse_u32_hex_or_dec(a, &u))
                fail(p, "error= must be an HRESULT, as in error=0x80190194");
            k.error = (HRESULT)u;
        } else if (strcmp(key, "context") == 0) {
            int c = name_index(k_contexts, sizeof k_contexts / sizeof k_contexts[0], a);
            if (c >= 0)
                u = (UINT32)c;
            else if (!parse_dec(a, 0xFFFFFFFFu, &done))
                fail(p, "context= must be a number (5 = REMOTE_FILE) or a BG_ERROR_CONTEXT name");
            else
                u = (UINT32)done;
            k.context = u;
        } else {
            fail(p, "at: unknown key '%s' (bytes files reply error context text remote local)", key);
        }
    }
    if (p->failed)
        return;
    if (k.gone) /* fields of a gone line are never read: keep it clean */
        memset(&k.bytes_done, 0, sizeof k - offsetof(sim_key, bytes_done));

    sim_key *keys = grow(j->keys, &p->keys_cap, j->nkeys + 1, sizeof *keys);
    if (!keys) {
        fail(p, "out of memory");
        return;
    }
    j->keys = keys;
    keys[j->nkeys++] = k;
}

static void line_service_down(parser *p, token *t, int n)
{
    sim_scenario *s = p->s;
    char a[64], b[64];
    UINT64 from, to;
    if (n != 3 || t[1].has_value || t[2].has_value || !value_ascii(&t[1], a, sizeof a) ||
        !value_ascii(&t[2], b, sizeof b) || !parse_dec(a, (UINT64)1 << 53, &from) ||
        !parse_dec(b, (UINT64)1 << 53, &to)) {
        fail(p, "expected: service-down <from_ms> <to_ms>");
        return;
    }
    if (to <= from) {
        fail(p, "service-down %llu %llu: the end must come after the start",
             (unsigned long long)from, (unsigned long long)to);
        return;
    }
    sim_window *w = grow(s->down, &p->down_cap, s->ndown + 1, sizeof *w);
    if (!w) {
        fail(p, "out of memory");
        return;
    }
    s->down = w;
    w[s->ndown].from_ms = from;
    w[s->ndown].to_ms = to;
    s->ndown++;
}

static void parse_line(parser *p, const unsigned char *s, const unsigned char *end)
{
    token t[SIM_MAX_TOKENS];
    int n = tokenize(p, s, end, t);
    if (n < 0)
        return;
    if (n == 0)
        return;
    if (t[0].has_value)
        fail(p, "a line starts with job, at, service-down or admin");
    else if (strcmp(t[0].key, "job") == 0)
        line_job(p, t, n);
    else if (strcmp(t[0].key, "at") == 0)
        line_at(p, t, n);
    else if (strcmp(t[0].key, "service-down") == 0)
        line_service_down(p, t, n);
    else if (strcmp(t[0].key, "admin") == 0) {
        if (n != 1)
            fail(p, "admin takes nothing more");
        p->s->admin = 1;
    } else
        fail(p, "unknown line '%s' (job, at, service-down, admin)", t[0].key);
    tokens_free(t, (size_t)n);
}

int sim_scenario_parse(const char *text, size_t len, const char *file, sim_scenario *out)
{
    parser p;
    memset(&p, 0, sizeof p);
    memset(out, 0, sizeof *out);
    p.file = file;
    p.s = out;

    const unsigned char *s = (const unsigned char *)text, *end = s + len;
    if (len >= 3 && s[0] == 0xEF && s[1] == 0xBB && s[2] == 0xBF)
        s += 3; /* a UTF-8 BOM (Windows PowerShell's -Encoding utf8 writes one) */
    while (s < end && !p.failed) {
        const unsigned char *nl = memchr(s, '\n', (size_t)(end - s));
        const unsigned char *eol = nl ? nl : end;
        p.line++;
        if (memchr(s, 0, (size_t)(eol - s)))
            fail(&p, "NUL byte in the line (is the file UTF-16? it must be UTF-8)");
        else
            parse_line(&p, s, eol);
        s = nl ? nl + 1 : end;
    }
    if (p.failed) {
        sim_scenario_free(out);
        return 0;
    }
    return 1;
}

void sim_scenario_free(sim_scenario *s)
{
    for (size_t i = 0; i < s->njobs; i++) {
        sim_job *j = &s->jobs[i];
        free(j->name);
        free(j->description);
        free(j->owner);
        free(j->keys);
        for (size_t k = 0; k < j->nstrings; k++)
            free(j->strings[k]);
        free(j->strings);
    }
    free(s->jobs);
    free(s->down);
    memset(s, 0, sizeof *s);
}
