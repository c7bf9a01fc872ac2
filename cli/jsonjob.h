/*
 * jsonjob.h - the objects of bitswatch.exe's --json output, from the
 * library's structs (schema: README.md, "JSON output").
 *
 * Pure formatting (no BITS calls): texts the library gives separately
 * (BwFormatMessage's) come in as arguments, so it is tested with made-up
 * structs. Member names are the struct fields' names. An enumeration is two
 * members: X, its name ("Transferring"; null for a value this version does
 * not know) and XCode, the number (2).
 */
#ifndef BW_CLI_JSONJOB_H
#define BW_CLI_JSONJOB_H

#include "bitswatch.h"
#include "json.h"

/* The version in every object's "schema" member. Raised when a member is
 * removed or changes meaning; members may be added within a version. */
#define BW_JSON_SCHEMA 1

/* Opens the object of a line: {"schema":1,"kind":kind. */
void bw_json_begin_line(bw_json *j, const char *kind);

/* The members of a snapshot from BwJobPoll: State, StateCode, Type and
 * TypeCode (with_type nonzero), Changed, Sequence, Timestamp, BytesTotal,
 * BytesTransferred, FilesTotal, FilesTransferred, ReplyBytesTotal,
 * ReplyBytesTransferred, ErrorCode, ErrorContext, ErrorContextCode,
 * ErrorText (error_text: BwFormatMessage's text for st->ErrorCode, NULL
 * for none), BytesPerSecond, EtaSeconds. The Error* members are null when
 * the snapshot has no error (ErrorCode 0). */
void bw_json_status_members(bw_json *j, const BW_STATUS *st, const WCHAR *error_text,
                            int with_type);

/* The members of BwJobGetInfo's struct: JobId, DisplayName, Description,
 * Owner, Type, TypeCode, Priority, PriorityCode, CreationTime,
 * ModificationTime, TransferCompletionTime, ErrorCount. */
void bw_json_info_members(bw_json *j, const BW_INFO *info);

/* key: an object with BwJobGetError's fields: ErrorCode, Context,
 * ContextCode, Description, ContextDescription, RemoteName, LocalName,
 * Protocol. e NULL: null. */
void bw_json_error_object(bw_json *j, const char *key, const BW_ERROR *e);

#endif /* BW_CLI_JSONJOB_H */
