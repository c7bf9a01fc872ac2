/*
 * why.h - 'bitswatch why': BwJobDiagnose for jobs, as text or --json.
 *
 * Moving jobs (connecting, transferring) are watched for sample_ms first,
 * all at once, so a stall can be told from a slow transfer: the library
 * judges a stall from the handle's own reads over at least 5 s.
 */
#ifndef BW_CLI_WHY_H
#define BW_CLI_WHY_H

#include "bitswatch.h"
#include "console.h"

/* The default watch of moving jobs, and the longest one allowed. */
#define BW_WHY_SAMPLE_MS 6000u
#define BW_WHY_SAMPLE_MAX_SEC 600u

/* ids: n job GUIDs (already parsed), or with all != 0 every job of the
 * queue (flags: BW_ENUM_ALL_USERS or 0). Returns BW_EXIT_OK when every job
 * was diagnosed, BW_EXIT_FAILED when one could not be opened or read (the
 * others are still reported), or the queue could not be listed;
 * BW_EXIT_INTERRUPTED (130) after Ctrl+C, which closes every handle at once
 * (the moving jobs' watch included). With all,
 * a summary follows: the verdicts counted, the jobs per owner, and the
 * queue against BITS' default limits (300 jobs, 60 per user), with a
 * warning at a limit, where creating a job fails (a "summary" object with
 * --json). */
int bw_why(const GUID *ids, int n, int all, UINT32 flags, int json, unsigned sample_ms,
           bw_stream *out, bw_stream *err);

/* The text of one diagnosis (pure: tested with made-up structs): a heading
 * "{guid}: Verdict", the explanation, "Action: ...", then "Evidence:" and its
 * lines, each indented by two spaces; lines end in "\n". Strings are
 * sanitized (bw_text_utf8). Returns buf (cut at a line when too small). */
char *bw_render_why(char *buf, size_t cap, const GUID *id, const BW_DIAGNOSIS *d);

#endif /* BW_CLI_WHY_H */
