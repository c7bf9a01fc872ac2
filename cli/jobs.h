/*
 * jobs.h - the commands that look at the queue once: 'list' and 'info',
 * and what 'watch --all' shares with them.
 */
#ifndef BW_CLI_JOBS_H
#define BW_CLI_JOBS_H

#include "bitswatch.h"
#include "console.h"

/* Says on err why the queue could not be read (what: "list the jobs",
 * "watch the queue"): E_ACCESSDENIED with BW_ENUM_ALL_USERS needs an
 * elevated prompt, anything else its code and text. Returns BW_EXIT_FAILED. */
int bw_queue_failed(UINT32 flags, HRESULT hr, const char *what, bw_stream *err);

/* The GUIDs of the queue (flags: BW_ENUM_*), through BwEnumJobs' count /
 * ERROR_MORE_DATA protocol. On success *ids (free it) holds *n GUIDs and
 * the result is BW_EXIT_OK; otherwise the reason is on err and the result is
 * BW_EXIT_FAILED (E_ACCESSDENIED with BW_ENUM_ALL_USERS says that it needs
 * an elevated prompt). */
int bw_enum_ids(UINT32 flags, GUID **ids, UINT32 *n, bw_stream *err);

/* 'bitswatch list': one line per job; json: one "status" object per job
 * ("failure" for one that could not be read). Exit code. */
int bw_list(UINT32 flags, int json, bw_stream *out, bw_stream *err);

/* 'bitswatch info <guid>': "Name: value" lines; json: one "info" object.
 * Exit code. */
int bw_info(const WCHAR *id, int json, bw_stream *out, bw_stream *err);

#endif /* BW_CLI_JOBS_H */
