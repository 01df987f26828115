/* wr_pg_io.c - libpq's waits, bounded by the session's read timeout
 * (wr_pg_io.h).  The pattern is libpq's own for nonblocking sessions:
 * flush what is queued, and until a whole result is in (PQisBusy false),
 * poll the socket and PQconsumeInput what arrives.  A poll that sees
 * nothing for read_timeout_s seconds drops the session: shutdown() of its
 * socket, after which libpq reads the end of it, marks the session
 * CONNECTION_BAD itself and turns the query it cut short into an error
 * result.
 *
 * Must never: call a libpq function that waits, or report a timeout as
 * the end of a result (a caller reading results until NULL gets an error
 * result first). */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <sys/socket.h>
#include <time.h>

#include "wr_pg_io.h"

static PGconn *pg(const wr_conn *c)
{
    return c->handle;
}

bool wr_pg_io_start(wr_conn *c)
{
    c->driver_message[0] = '\0';
    return PQsetnonblocking(pg(c), 1) == 0;
}

/* Ends the session from this side: libpq reads the end of it and marks it
 * CONNECTION_BAD, and a query cut short becomes an error result.  After
 * this nothing of libpq's can wait: the socket is gone. */
static void drop(wr_conn *c)
{
    if (PQstatus(pg(c)) == CONNECTION_BAD)
        return;
    shutdown(PQsocket(pg(c)), SHUT_RDWR);
    PQconsumeInput(pg(c));
}

static int ms_since(const struct timespec *t0)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (int)((t.tv_sec - t0->tv_sec) * 1000 + (t.tv_nsec - t0->tv_nsec) / 1000000);
}

/* Waits for events on the session's socket: those that came, or 0 once
 * the session is dropped (the socket failed, or *quiet_ms, this wait's
 * silence so far, reached the read timeout; an event resets it).
 *
 * A TLS session polls in slices and, after a silent one, answers POLLIN
 * anyway: libpq reads a TLS record through OpenSSL only as far as its
 * buffer has room, and the rest, already off the socket, is invisible to
 * poll() (a server or proxy writing records longer than PostgreSQL's 8 KB
 * ones can leave a result's tail there); PQconsumeInput takes it. */
static short wait_for(wr_conn *c, short events, int *quiet_ms)
{
    enum { TLS_SLICE_MS = 50 };
    struct pollfd p = { .fd = PQsocket(pg(c)), .events = events };
    if (p.fd < 0)
        return 0;
    bool is_tls = PQsslInUse(pg(c));
    int limit = c->read_timeout_s ? (int)c->read_timeout_s * 1000 : -1;
    for (;;) {
        int ms = limit < 0 ? -1 : limit - *quiet_ms;
        if (is_tls && (ms < 0 || ms > TLS_SLICE_MS))
            ms = TLS_SLICE_MS;
        struct timespec t0;
        clock_gettime(CLOCK_MONOTONIC, &t0);
        int n = poll(&p, 1, ms);
        if (n > 0) {
            *quiet_ms = 0;
            return p.revents;
        }
        if (n < 0 && errno != EINTR) {
            drop(c);
            return 0;
        }
        *quiet_ms += ms_since(&t0);
        if (limit >= 0 && *quiet_ms >= limit) {
            snprintf(c->driver_message, sizeof c->driver_message,
                     "no answer from the server for %u s (the DSN's read_timeout): the session was dropped",
                     c->read_timeout_s);
            drop(c);
            return 0;
        }
        if (n == 0 && is_tls)
            return POLLIN;
    }
}

/* Sends what libpq has queued; false if the session failed or timed out. */
static bool flush(wr_conn *c)
{
    int quiet_ms = 0;
    for (;;) {
        int f = PQflush(pg(c));
        if (f <= 0)
            return f == 0;
        /* the server may be sending too (a NOTICE, an error): read it, so
         * that neither side waits on a full buffer */
        short got = wait_for(c, POLLIN | POLLOUT, &quiet_ms);
        if (!got || ((got & ~POLLOUT) && !PQconsumeInput(pg(c))))
            return false;
    }
}

/* Until a whole result is in; false if the session failed or timed out
 * (PQgetResult then reports it). */
static bool await_result(wr_conn *c)
{
    if (!flush(c))
        return false;
    int quiet_ms = 0;
    while (PQisBusy(pg(c))) {
        if (!wait_for(c, POLLIN, &quiet_ms) || !PQconsumeInput(pg(c)))
            return false;
    }
    return true;
}

PGresult *wr_pg_next_result(wr_conn *c)
{
    await_result(c);   /* if it failed, the session is dropped: this cannot wait */
    return PQgetResult(pg(c));
}

/* The results of what was just sent: the last, or the first COPY one. */
static PGresult *last_result(wr_conn *c, int sent)
{
    if (!sent)
        return NULL;
    PGresult *last = NULL, *r;
    while ((r = wr_pg_next_result(c)) != NULL) {
        PQclear(last);
        last = r;
        ExecStatusType st = PQresultStatus(r);
        if (st == PGRES_COPY_IN || st == PGRES_COPY_OUT || st == PGRES_COPY_BOTH || PQstatus(pg(c)) == CONNECTION_BAD)
            break;
    }
    return last;
}

PGresult *wr_pg_exec(wr_conn *c, const char *sql)
{
    return last_result(c, PQsendQuery(pg(c), sql));
}

PGresult *wr_pg_exec_params(wr_conn *c, const char *sql, int n, const char *const *values)
{
    return last_result(c, PQsendQueryParams(pg(c), sql, n, NULL, values, NULL, NULL, 0));
}

PGresult *wr_pg_prepare(wr_conn *c, const char *name, const char *sql, int n)
{
    return last_result(c, PQsendPrepare(pg(c), name, sql, n, NULL));
}

PGresult *wr_pg_exec_prepared(wr_conn *c, const char *name, int n, const char *const *values)
{
    return last_result(c, PQsendQueryPrepared(pg(c), name, n, values, NULL, NULL, 0));
}

PGresult *wr_pg_describe_prepared(wr_conn *c, const char *name)
{
    return last_result(c, PQsendDescribePrepared(pg(c), name));
}

int wr_pg_get_copy_data(wr_conn *c, char **buf)
{
    int quiet_ms = 0;
    for (;;) {
        int n = PQgetCopyData(pg(c), buf, 1);
        if (n != 0)
            return n;
        if (!wait_for(c, POLLIN, &quiet_ms) || !PQconsumeInput(pg(c)))
            return -2;
    }
}

int wr_pg_put_copy_data(wr_conn *c, const char *data, int n)
{
    int r;
    while ((r = PQputCopyData(pg(c), data, n)) == 0)   /* no room until what is queued is sent */
        if (!flush(c))
            return -1;
    return r > 0 && flush(c) ? 1 : -1;
}

int wr_pg_put_copy_end(wr_conn *c, const char *error)
{
    int r;
    while ((r = PQputCopyEnd(pg(c), error)) == 0)
        if (!flush(c))
            return -1;
    return r > 0 && flush(c) ? 1 : -1;
}

unsigned wr_pg_io_set_timeout(wr_conn *c, unsigned seconds)
{
    unsigned was = c->read_timeout_s;
    c->read_timeout_s = seconds;
    return was;
}

const char *wr_pg_message(const wr_conn *c)
{
    return c->driver_message[0] ? c->driver_message : PQerrorMessage(pg(c));
}
