/* wr_tds_query.c - generated statements on SQL Server through FreeTDS
 * db-lib: every statement is an RPC call of sp_executesql with each value
 * a named nvarchar parameter (never spliced into SQL text).  The SELECTs
 * convert dates, times and floats to text on the server (ISO 8601, 17
 * digits), so what comes back needs no locale-dependent conversion.  No
 * SQL Server runs here: this file is compiled and linked in CI and run
 * live only where WELLOS_TEST_MSSQL_DSN is set. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#define MSDBLIB 1 /* as wr_tds.c: Microsoft db-lib behaviour */
#include <sybdb.h>

#include "wr_query_internal.h"

enum { MAX_COLUMNS = 1024, CONVERTED_SIZE = 128 };

static int driver_error(wr_run *r, const char *what)
{
    const char *msg = r->conn->driver_message[0] ? r->conn->driver_message : what;
    return wr_error(r->err, wr_conn_is_lost(r->conn) ? WR_ECONNECT : WR_ERROR, "%s", msg);
}

static RETCODE nvarchar_param(DBPROCESS *db, const char *name, const char *value)
{
    return dbrpcparam(db, (char *)name, 0, SYBNVARCHAR, -1, value ? (DBINT)strlen(value) : 0,
                      (BYTE *)(value ? value : NULL));
}

static int send_call(wr_run *r, DBPROCESS *db)
{
    if (dbrpcinit(db, "sp_executesql", 0) == FAIL || nvarchar_param(db, "@stmt", r->stmt->sql) == FAIL)
        return driver_error(r, "cannot start the RPC call");
    if (r->n_values > 0 && nvarchar_param(db, "@params", r->stmt->param_decl) == FAIL)
        return driver_error(r, "cannot declare the parameters");
    for (int i = 0; i < r->n_values; i++) {
        char name[16];
        snprintf(name, sizeof name, "@p%d", i + 1);
        if (nvarchar_param(db, name, r->values[i]) == FAIL)
            return driver_error(r, "cannot bind a parameter");
    }
    if (dbrpcsend(db) == FAIL || dbsqlok(db) == FAIL)
        return driver_error(r, "the call failed");
    return 0;
}

/* One column of the current row as text; NULL for SQL NULL. */
static const char *column_text(DBPROCESS *db, int col, char *buf, size_t size)
{
    BYTE *data = dbdata(db, col);
    DBINT len = dbdatlen(db, col);
    if (!data)
        return NULL;
    int type = dbcoltype(db, col);
    switch (type) {
    case SYBDATETIME: case SYBDATETIME4: case SYBDATETIMN: case SYBMSDATE: case SYBMSTIME:
    case SYBMSDATETIME2: case SYBMSDATETIMEOFFSET: {
        /* by the parts, never dbconvert: its text of a date follows the locale */
        DBDATEREC2 d;
        if (dbanydatecrack(db, &d, type, data) == FAIL)
            return NULL;
        if (type == SYBMSDATE)
            snprintf(buf, size, "%04d-%02d-%02d", (int)d.year, (int)d.month, (int)d.day);
        else /* nine digits: the parsers refuse what microseconds would lose */
            snprintf(buf, size, "%04d-%02d-%02d %02d:%02d:%02d.%09d", (int)d.year, (int)d.month, (int)d.day,
                     (int)d.hour, (int)d.minute, (int)d.second, (int)d.nanosecond);
        return buf;
    }
    case SYBFLT8: { /* 17 digits: every double reads back as itself */
        double v;
        memcpy(&v, data, sizeof v);
        snprintf(buf, size, "%.17g", v);
        return buf;
    }
    case SYBREAL: {
        float v;
        memcpy(&v, data, sizeof v);
        snprintf(buf, size, "%.9g", (double)v);
        return buf;
    }
    default:
        break;
    }
    if (type == SYBCHAR || type == SYBVARCHAR || type == SYBTEXT) {
        size_t n = (size_t)len < size - 1 ? (size_t)len : size - 1;
        memcpy(buf, data, n);
        buf[n] = '\0';
        return buf;
    }
    DBINT n = dbconvert(db, type, data, len, SYBCHAR, (BYTE *)buf, (DBINT)size - 1);
    if (n < 0)
        return NULL;
    buf[n] = '\0';
    return buf;
}

static int read_results(wr_run *r, DBPROCESS *db)
{
    int rc = 0;
    RETCODE res;
    while ((res = dbresults(db)) != NO_MORE_RESULTS) {
        if (res == FAIL) {
            rc = driver_error(r, "the statement failed");
            break;
        }
        if (dbcount(db) >= 0)
            r->affected = dbcount(db);
        int n = dbnumcols(db);
        if (n > MAX_COLUMNS)
            return wr_error(r->err, WR_ERROR, "%d columns: more than %d", n, MAX_COLUMNS);
        static const size_t text_size = 64 * 1024;
        char *texts = n > 0 ? malloc((size_t)n * text_size) : NULL;
        const char **values = n > 0 ? calloc((size_t)n, sizeof *values) : NULL;
        if (n > 0 && (!texts || !values)) {
            free(texts);
            free(values);
            return wr_error(r->err, WR_ENOMEM, "out of memory");
        }
        STATUS row;
        while ((row = dbnextrow(db)) != NO_MORE_ROWS) {
            if (row == FAIL) {
                rc = driver_error(r, "reading a row failed");
                break;
            }
            if (rc < 0 || r->stopped_by || !r->each)
                continue;
            for (int i = 0; i < n; i++)
                values[i] = column_text(db, i + 1, texts + (size_t)i * text_size, text_size);
            wr_row one = { n, values };
            r->has_delivered = true;
            int stop = r->each(r->ctx, &one);
            if (stop) {
                r->stopped_by = stop;
                if (stop < 0)
                    rc = stop;
            }
        }
        free(texts);
        free(values);
    }
    return rc;
}

int wr_tds_run(wr_run *r)
{
    DBPROCESS *db = wr_conn_tds(r->conn);
    if (!db)
        return wr_error(r->err, WR_ECONNECT, "the connection is closed");
    r->conn->driver_message[0] = '\0';
    dbcancel(db); /* nothing of an earlier call may be pending */
    int rc = send_call(r, db);
    return rc < 0 ? rc : read_results(r, db);
}

/* Linking this (from wr_use_sqlserver) brings in the driver and its client
 * library; see the weak references in wr_conn.c and wr_query.c. */
void wr_use_sqlserver(void)
{
    static const void *volatile keep[2]; /* the references are what matters */
    keep[0] = &wr_tds_driver;
    keep[1] = (const void *)wr_tds_run;
    (void)keep[0];
}
