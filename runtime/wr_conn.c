/* wr_conn.c - connections, whatever the dialect: picks the driver, keeps
 * the DSN for reconnecting, counts generations, and reports errors under
 * the caller's name ("tenant permian_ops: ...").
 *
 * Must never: put a DSN or a password into a message (driver messages are
 * masked, then scrubbed of every secret the DSN holds), keep state outside
 * a wr_conn, or talk to a client library itself (that is the drivers'
 * job, one file each). */
#include <stdlib.h>
#include <string.h>

#include "wr_internal.h"

const char *wr_dialect_name(wr_dialect d)
{
    switch (d) {
    case WR_POSTGRES:
        return "postgres";
    case WR_MYSQL:
        return "mysql";
    case WR_SQLSERVER:
        return "sqlserver";
    case WR_ORACLE:
        return "oracle";
    }
    return "unknown";
}

/* Weak: a program links only the drivers it asked for with wr_use_*(),
 * so an agent needs exactly its tenant's client libraries.  A driver that
 * was not linked is NULL here. */
extern const wr_driver wr_pg_driver __attribute__((weak));
extern const wr_driver wr_mysql_driver __attribute__((weak));
extern const wr_driver wr_tds_driver __attribute__((weak));

static const wr_driver *driver_for(wr_dialect d)
{
    switch (d) {
    case WR_POSTGRES:
        return &wr_pg_driver;
    case WR_MYSQL:
        return &wr_mysql_driver;
    case WR_SQLSERVER:
        return &wr_tds_driver;
    case WR_ORACLE:
        break;
    }
    return NULL;
}

static void lift_time_limits(wr_conn *c)
{
    if (c->dialect == WR_POSTGRES) {
        c->driver->exec(c, "SELECT set_config('statement_timeout', '0', false), "
                           "set_config('idle_in_transaction_session_timeout', '0', false)", NULL);
    } else if (c->dialect == WR_MYSQL) {
        if (c->driver->exec(c, "SET SESSION max_statement_time = 0", NULL) != WR_OK)   /* MariaDB */
            c->driver->exec(c, "SET SESSION max_execution_time = 0", NULL);        /* MySQL */
    }
}

/* Connects c->handle with the saved DSN; scrubs the DSN's secrets from any
 * message the driver wrote; lifts the time limits again if asked to. */
static int open_handle(wr_conn *c, wr_err *err)
{
    int rc = c->driver->connect(c, c->dsn, err);
    if (rc && err)
        wr_scrub_dsn_secrets(err->message, sizeof err->message, c->dsn);
    if (!rc && c->lifts_time_limits)
        lift_time_limits(c);
    return rc;
}

void wr_conn_lift_time_limits(wr_conn *c)
{
    c->lifts_time_limits = true;
    if (c->handle)
        lift_time_limits(c);
}

static void free_conn(wr_conn *c)
{
    if (c->dsn) {
        wr_wipe(c->dsn, strlen(c->dsn));
        free(c->dsn);
    }
    wr_wipe(c->driver_message, sizeof c->driver_message);
    free(c);
}

int wr_connect(wr_conn **out, wr_dialect d, const char *dsn, const char *who, wr_err *err)
{
    *out = NULL;
    if (!who || !*who)
        who = "wellos";
    if (d == WR_ORACLE)
        return wr_error(err, WR_EUNSUPPORTED,
                        "%s: oracle is not supported by this build: no Oracle client library (OCI) is available",
                        who);
    if (d != WR_POSTGRES && d != WR_MYSQL && d != WR_SQLSERVER)
        return wr_error(err, WR_ECONFIG, "%s: unknown database dialect %d", who, (int)d);
    const wr_driver *driver = driver_for(d);
    if (!driver)
        return wr_error(err, WR_EUNSUPPORTED, "%s: this program was built without the %s driver", who,
                        wr_dialect_name(d));
    if (!dsn || !dsn[strspn(dsn, " \t\r\n")])
        return wr_error(err, WR_ECONFIG, "%s: DSN is empty", who);

    wr_conn *c = calloc(1, sizeof *c);
    if (!c || !(c->dsn = strdup(dsn))) {
        free(c);
        return wr_error(err, WR_ENOMEM, "%s: out of memory", who);
    }
    c->driver = driver;
    c->dialect = d;
    c->generation = 1;
    size_t who_len = strnlen(who, WR_WHO_SIZE - 1);
    memcpy(c->who, who, who_len);
    c->who[who_len] = '\0';

    int rc = open_handle(c, err);
    if (rc) {
        free_conn(c);
        return rc;
    }
    *out = c;
    return WR_OK;
}

int wr_connect_env(wr_conn **out, wr_dialect d, const char *env_var, const char *who, wr_err *err)
{
    *out = NULL;
    if (!who || !*who)
        who = "wellos";
    if (d == WR_ORACLE) /* the missing driver is the news, not the variable */
        return wr_connect(out, d, "", who, err);
    const char *dsn = env_var ? getenv(env_var) : NULL;
    if (!dsn || !*dsn)
        return wr_error(err, WR_ECONFIG, "%s: environment variable %s is not set", who,
                        env_var ? env_var : "(null)");
    return wr_connect(out, d, dsn, who, err);
}

void wr_conn_close(wr_conn *c)
{
    if (!c)
        return;
    c->driver->close(c);
    free_conn(c);
}

wr_dialect wr_conn_dialect(const wr_conn *c)
{
    return c->dialect;
}

const char *wr_conn_who(const wr_conn *c)
{
    return c->who;
}

unsigned wr_conn_generation(const wr_conn *c)
{
    return c->generation;
}

/* The generation changes as soon as the old handle is gone, so a failed
 * reconnect already invalidates statements prepared on it. */
int wr_conn_reconnect(wr_conn *c, wr_err *err)
{
    c->driver->close(c);
    c->generation++;
    return open_handle(c, err);
}

bool wr_conn_is_lost(const wr_conn *c)
{
    return !c->handle || c->driver->is_lost(c);
}

int wr_exec(wr_conn *c, const char *sql, wr_err *err)
{
    if (!c->handle)
        return wr_error(err, WR_ECONNECT, "%s: %s: the connection is closed; reconnect first", c->who,
                        wr_dialect_name(c->dialect));
    if (!sql)
        return wr_error(err, WR_ERROR, "%s: %s: no SQL to run", c->who, wr_dialect_name(c->dialect));
    return c->driver->exec(c, sql, err);
}

struct pg_conn *wr_conn_pg(wr_conn *c)
{
    return c && c->dialect == WR_POSTGRES ? c->handle : NULL;
}

struct st_mysql *wr_conn_mysql(wr_conn *c)
{
    return c && c->dialect == WR_MYSQL ? c->handle : NULL;
}

struct tds_dblib_dbprocess *wr_conn_tds(wr_conn *c)
{
    return c && c->dialect == WR_SQLSERVER ? c->handle : NULL;
}
