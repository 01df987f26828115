/* wr_tds.c - the SQL Server driver, on FreeTDS db-lib (Microsoft flavour:
 * MSDBLIB, so generated code that calls db-lib directly defines it too).
 * DSN keys: host port (default 1433) user password dbname tds_version
 * (7.0 7.1 7.2 7.3 7.4 5.0 auto; default 7.4) connect_timeout (seconds,
 * default 10) read_timeout (seconds, default 3600: a server that sends
 * nothing for that long while a statement runs, frozen or cut off, loses
 * the session and fails the call, instead of hanging the agent).
 * The client charset is UTF-8 and the application name "wellos-sync".
 *
 * Must never: print (db-lib's messages are copied into the connection that
 * caused them, never to stderr), or exit the process from a handler
 * (ours always answer INT_CANCEL, never INT_EXIT).
 *
 * The one place in the runtime with process-wide state, because db-lib
 * itself is process-wide:
 *   - dbinit() and the error/message handlers are installed once per
 *     process, under pthread_once (init_once, init_result);
 *   - dbsetlogintime() is a process-wide setting, so connect_timeout is
 *     set just before each dbopen() (a concurrent login in another thread
 *     may use the other's timeout); read_timeout is the connection's own
 *     (dbsetopt DBSETTIME, which a later process-wide dbsettime() leaves
 *     alone);
 *   - during dbopen() the DBPROCESS has no user data yet, so the messages
 *     of a failing login go to the connection this thread is opening
 *     (`logging_in`, thread-local, set only for the duration of dbopen(),
 *     with `login_timeout`, its connect_timeout, for the message).
 * Call dbexit() only when the process is done with every connection. */
#define MSDBLIB 1

#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include <sybfront.h>
#include <sybdb.h>

#include "wr_internal.h"

static const char *const KEYS[] = {
    "host", "port", "user", "password", "dbname", "tds_version", "connect_timeout", "read_timeout", NULL,
};

static pthread_once_t init_once = PTHREAD_ONCE_INIT;
static RETCODE init_result = FAIL;
static _Thread_local wr_conn *logging_in;
static _Thread_local unsigned login_timeout;

static wr_conn *conn_of(DBPROCESS *dbproc)
{
    wr_conn *c = dbproc ? (wr_conn *)dbgetuserdata(dbproc) : NULL;
    return c ? c : logging_in;
}

/* Appends text to the connection's messages, once (db-lib repeats itself
 * when it retries a login with another TDS version). */
static void append_message(wr_conn *c, const char *text)
{
    if (strstr(c->driver_message, text))
        return;
    size_t n = strlen(c->driver_message);
    if (n + 3 < sizeof c->driver_message)
        snprintf(c->driver_message + n, sizeof c->driver_message - n, "%s%s", n ? "; " : "", text);
}

static int on_error(DBPROCESS *dbproc, int severity, int dberr, int oserr, char *dberrstr, char *oserrstr)
{
    (void)severity;
    wr_conn *c = conn_of(dbproc);
    if (c && dberr == SYBETIME) {   /* db-lib's words, "connection timed out", name neither setting */
        char line[128];
        if (c->handle)
            snprintf(line, sizeof line, "no answer from the server for %u s (read_timeout)", c->read_timeout_s);
        else
            snprintf(line, sizeof line, "login timed out: no answer from the server within %u s (connect_timeout)",
                     login_timeout);
        append_message(c, line);
    } else if (c && dberr != SYBESMSG) {   /* SYBESMSG only says "see the server's messages" */
        char line[512];
        bool has_os = oserr != DBNOERR && oserr != 0 && oserrstr && *oserrstr;
        snprintf(line, sizeof line, "%s%s%s%s", dberrstr ? dberrstr : "db-lib error", has_os ? " (" : "",
                 has_os ? oserrstr : "", has_os ? ")" : "");
        append_message(c, line);
    }
    return INT_CANCEL;
}

static int on_message(DBPROCESS *dbproc, DBINT msgno, int msgstate, int severity, char *msgtext, char *srvname,
                      char *proc, int line)
{
    (void)msgstate;
    (void)srvname;
    (void)proc;
    (void)line;
    wr_conn *c = conn_of(dbproc);
    if (c && severity > 10) {   /* 10 and below: "changed database context" and the like */
        char text[512];
        snprintf(text, sizeof text, "%s (message %d, severity %d)", msgtext ? msgtext : "", (int)msgno, severity);
        append_message(c, text);
    }
    return 0;
}

static void init_dblib(void)
{
    init_result = dbinit();
    if (init_result == SUCCEED) {
        dberrhandle(on_error);
        dbmsghandle(on_message);
    }
}

static DBPROCESS *dbp(const wr_conn *c)
{
    return c->handle;
}

static bool tds_is_lost(const wr_conn *c)
{
    return dbdead(dbp(c));
}

static void tds_close(wr_conn *c)
{
    if (c->handle)
        dbclose(dbp(c));
    c->handle = NULL;
}

static int tds_fail(wr_conn *c, wr_err *err)
{
    const char *why = c->driver_message[0] ? c->driver_message : "no reason given by db-lib";
    if (tds_is_lost(c))
        return wr_error(err, WR_ECONNECT, "%s: sqlserver: connection lost: %s", c->who, why);
    dbcancel(dbp(c));   /* drop what is left of the batch */
    return wr_error(err, WR_ERROR, "%s: sqlserver: %s", c->who, why);
}

static int tds_exec(wr_conn *c, const char *sql, wr_err *err)
{
    DBPROCESS *p = dbp(c);
    c->driver_message[0] = '\0';
    if (dbcmd(p, sql) == FAIL || dbsqlexec(p) == FAIL)
        return tds_fail(c, err);
    RETCODE rc;
    while ((rc = dbresults(p)) != NO_MORE_RESULTS) {
        if (rc == FAIL)
            return tds_fail(c, err);
        STATUS row;
        while ((row = dbnextrow(p)) != NO_MORE_ROWS) {
            if (row == FAIL)
                return tds_fail(c, err);
        }
    }
    return WR_OK;
}

static int parse_version(const char *text, int *version)
{
    static const struct {
        const char *text;
        int version;
    } versions[] = {
        { "7.0", DBVERSION_70 }, { "7.1", DBVERSION_71 }, { "7.2", DBVERSION_72 },
        { "7.3", DBVERSION_73 }, { "7.4", DBVERSION_74 }, { "5.0", DBVERSION_100 },
        { "auto", DBVERSION_UNKNOWN },
    };
    for (size_t i = 0; i < sizeof versions / sizeof *versions; i++) {
        if (strcmp(text, versions[i].text) == 0) {
            *version = versions[i].version;
            return 0;
        }
    }
    return -1;
}

static LOGINREC *make_login(const wr_dsn *d, int version)
{
    LOGINREC *login = dblogin();
    if (!login)
        return NULL;
    const char *user = wr_dsn_get(d, "user"), *password = wr_dsn_get(d, "password");
    const char *dbname = wr_dsn_get(d, "dbname");
    bool ok = DBSETLAPP(login, "wellos-sync") == SUCCEED && DBSETLCHARSET(login, "UTF-8") == SUCCEED;
    if (ok && user)
        ok = DBSETLUSER(login, user) == SUCCEED;
    if (ok && password)
        ok = DBSETLPWD(login, password) == SUCCEED;
    if (ok && dbname)
        ok = DBSETLDBNAME(login, dbname) == SUCCEED;
    if (ok && version != DBVERSION_UNKNOWN)
        ok = DBSETLVERSION(login, (BYTE)version) == SUCCEED;
    if (!ok) {
        dbloginfree(login);
        return NULL;
    }
    return login;
}

/* What every session is set to, whatever the server's, the database's and
 * db-lib's defaults.  db-lib logs in with ANSI_NULLS, ANSI_PADDING,
 * ANSI_WARNINGS, CONCAT_NULL_YIELDS_NULL and QUOTED_IDENTIFIER off (ODBC
 * turns them on), and then SQL Server refuses any write to a table with a
 * filtered index, an indexed view or an indexed computed column (error
 * 1934), cuts a too-long string short without a word, and makes 'a' + NULL
 * 'a'.  TEXTSIZE: a varchar(max) or text value comes back cut at 4 KB, or
 * at freetds.conf's "text size".  DATEFORMAT: a 'YYYY-MM-DD' read as a
 * datetime follows the login's language (British: year, day, month).
 * IMPLICIT_TRANSACTIONS: a server whose user options turn it on would hold
 * every write open until the connection ends, and lose it then. */
static const char SESSION_SETTINGS[] =
    "SET TEXTSIZE 2147483647; SET ANSI_NULLS ON; SET ANSI_PADDING ON; SET ANSI_WARNINGS ON; "
    "SET ARITHABORT ON; SET CONCAT_NULL_YIELDS_NULL ON; SET QUOTED_IDENTIFIER ON; "
    "SET NUMERIC_ROUNDABORT OFF; SET DATEFORMAT ymd; SET IMPLICIT_TRANSACTIONS OFF";

static int open_dbproc(wr_conn *c, const wr_dsn *d, wr_err *err)
{
    unsigned port, timeout, read_timeout;
    /* 7.4 unless told otherwise: SQL Server answers the login with the
     * version it speaks (LOGINACK).  "auto" (freetds.conf's default)
     * falls back to Sybase's 5.0 when the first login gets no answer, and
     * FreeTDS 1.3 then waits for ever on a server that accepts the
     * connection and says nothing, whatever connect_timeout says
     * (test_runtime.c). */
    int version = DBVERSION_74;
    const char *host = wr_dsn_get(d, "host"), *v = wr_dsn_get(d, "tds_version");
    int rc = wr_dsn_get_uint(d, "port", 1, 65535, 1433, &port, c->who, err);
    if (!rc)
        rc = wr_dsn_get_uint(d, "connect_timeout", 1, 3600, 10, &timeout, c->who, err);
    if (!rc)
        rc = wr_dsn_get_uint(d, "read_timeout", 1, 86400, 3600, &read_timeout, c->who, err);
    if (rc)
        return rc;
    if (!host || !*host)
        return wr_error(err, WR_ECONFIG, "%s: DSN: sqlserver needs a host", c->who);
    if (v && parse_version(v, &version))
        return wr_error(err, WR_ECONFIG, "%s: DSN: tds_version must be one of 7.0 7.1 7.2 7.3 7.4 5.0 auto",
                        c->who);

    LOGINREC *login = make_login(d, version);
    if (!login)
        return wr_error(err, WR_ENOMEM, "%s: sqlserver: cannot prepare the login record", c->who);
    char server[WR_DSN_VALUE_SIZE + 8];
    snprintf(server, sizeof server, "%s:%u", host, port);
    dbsetlogintime((int)timeout);
    c->driver_message[0] = '\0';
    logging_in = c;
    login_timeout = timeout;
    DBPROCESS *p = dbopen(login, server);
    logging_in = NULL;
    dbloginfree(login);
    if (!p)
        return wr_error(err, WR_ECONNECT, "%s: sqlserver: cannot connect to %s: %s", c->who, server,
                        c->driver_message[0] ? c->driver_message : "no reason given by db-lib");
    dbsetuserdata(p, (BYTE *)c);
    c->handle = p;
    c->read_timeout_s = read_timeout;
    char seconds[16];
    snprintf(seconds, sizeof seconds, "%u", read_timeout);
    if (dbsetopt(p, DBSETTIME, seconds, 0) == FAIL) {
        tds_close(c);
        return wr_error(err, WR_ERROR, "%s: sqlserver: db-lib refused read_timeout=%s (dbsetopt DBSETTIME)", c->who,
                        seconds);
    }
    wr_err why = { 0, "" };
    if ((rc = tds_exec(c, SESSION_SETTINGS, &why))) {
        tds_close(c);
        return wr_error(err, rc, "%s (setting up the session)", why.message);
    }
    return WR_OK;
}

static int tds_connect(wr_conn *c, const char *dsn, wr_err *err)
{
    pthread_once(&init_once, init_dblib);
    if (init_result != SUCCEED)
        return wr_error(err, WR_ERROR, "%s: sqlserver: db-lib failed to initialize", c->who);
    wr_dsn d;
    int rc = wr_dsn_parse(&d, dsn, false, c->who, err);
    if (!rc)
        rc = wr_dsn_check_keys(&d, KEYS, "sqlserver", c->who, err);
    if (!rc)
        rc = open_dbproc(c, &d, err);
    wr_dsn_wipe(&d);
    return rc;
}

const wr_driver wr_tds_driver = {
    .connect = tds_connect,
    .close = tds_close,
    .exec = tds_exec,
    .is_lost = tds_is_lost,
};
