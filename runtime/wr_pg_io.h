/* wr_pg_io.h - libpq's calls that wait for the server, each wait bounded.
 *
 * libpq's blocking calls (PQexec, PQgetResult, PQgetCopyData(..., 0), a
 * PQputCopyData into a full socket) wait for ever on a server that stops
 * answering while its host still acknowledges: a stopped or hung process.
 * These do the same work on a session in nonblocking mode and wait in
 * poll(), at most the session's read timeout (c->read_timeout_s) of
 * silence each time.  When that runs out the session is dropped: libpq
 * sees it closed and says CONNECTION_BAD, as for any lost session, and
 * wr_pg_message() says why.
 *
 * Every PostgreSQL call of the runtime that waits goes through here; a
 * plain PQexec on such a session would still work, unbounded. */
#ifndef WR_PG_IO_H
#define WR_PG_IO_H

#include <libpq-fe.h>

#include "wr_internal.h"

/* Puts the session in nonblocking mode; c->handle is its PGconn. */
bool wr_pg_io_start(wr_conn *c);

/* PQgetResult, bounded: the next result of what was sent, NULL after the
 * last.  A query cut short by a timeout ends with an error result. */
PGresult *wr_pg_next_result(wr_conn *c);

/* PQexec, PQexecParams (text), PQprepare, PQexecPrepared (text) and
 * PQdescribePrepared, bounded: the last result, or the first COPY one.
 * NULL only when libpq could not send (PQerrorMessage says why). */
PGresult *wr_pg_exec(wr_conn *c, const char *sql);
PGresult *wr_pg_exec_params(wr_conn *c, const char *sql, int n, const char *const *values);
PGresult *wr_pg_prepare(wr_conn *c, const char *name, const char *sql, int n);
PGresult *wr_pg_exec_prepared(wr_conn *c, const char *name, int n, const char *const *values);
PGresult *wr_pg_describe_prepared(wr_conn *c, const char *name);

/* PQgetCopyData(..., 0), bounded: > 0 a row's bytes in *buf (PQfreemem),
 * -1 the end, -2 a failure (a timeout among them). */
int wr_pg_get_copy_data(wr_conn *c, char **buf);

/* PQputCopyData and PQputCopyEnd, bounded, and sent before they return
 * (libpq's buffer never grows past one call's data): 1 done, -1 failed. */
int wr_pg_put_copy_data(wr_conn *c, const char *data, int n);
int wr_pg_put_copy_end(wr_conn *c, const char *error);

/* Sets the session's read timeout (seconds; 0: none) and returns the one
 * it had: a wait long and silent by nature (an index built over a whole
 * table) lifts it, and puts it back after. */
unsigned wr_pg_io_set_timeout(wr_conn *c, unsigned seconds);

/* What went wrong on the session: the timeout, if that was it, else
 * libpq's PQerrorMessage. */
const char *wr_pg_message(const wr_conn *c);

#endif
