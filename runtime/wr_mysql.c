/* wr_mysql.c - the MySQL/MariaDB driver, on MariaDB Connector/C.  DSN keys:
 * host port user password dbname socket connect_timeout (seconds, default
 * 10) read_timeout write_timeout (seconds, default 3600: a server that
 * sends nothing for that long is taken as gone, not waited on forever),
 * and for TLS ssl_mode ssl_ca ssl_cert ssl_key (set_tls).  The
 * session is utf8mb4, UTC, strict (STRICT_ALL_TABLES, NO_ZERO_DATE,
 * NO_ZERO_IN_DATE), autocommits, and keeps MySQL's default quoting.
 *
 * Must never: let the library reconnect by itself (MYSQL_OPT_RECONNECT is
 * off: a silent reconnect would keep statements prepared on the old
 * session, which are gone; we reconnect through wr_conn_reconnect and the
 * generation changes), read option files, or leave a result unread. */
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include <errmsg.h>
#include <mysql.h>
#include <mysqld_error.h>

#include "wr_internal.h"

static const char *const KEYS[] = {
    "host", "port", "user", "password", "dbname", "socket", "connect_timeout", "read_timeout", "write_timeout",
    "ssl_mode", "ssl_ca", "ssl_cert", "ssl_key", NULL,
};

static MYSQL *my(const wr_conn *c)
{
    return c->handle;
}

/* Errors that mean the session is gone, and, for any other client-side
 * error, a ping that fails. */
static bool my_is_lost(const wr_conn *c)
{
    unsigned e = mysql_errno(my(c));
    switch (e) {
    case CR_SERVER_GONE_ERROR:
    case CR_SERVER_LOST:
    case CR_SERVER_LOST_EXTENDED:
    case ER_CONNECTION_KILLED:
    case ER_SERVER_SHUTDOWN:
        return true;
    default:
        return e >= CR_MIN_ERROR && e <= CR_MAX_ERROR && mysql_ping(my(c)) != 0;
    }
}

static void my_close(wr_conn *c)
{
    if (c->handle)
        mysql_close(my(c));
    c->handle = NULL;
}

static int my_fail(wr_conn *c, wr_err *err)
{
    char message[sizeof err->message];
    snprintf(message, sizeof message, "%s (error %u, SQLSTATE %s)", mysql_error(my(c)), mysql_errno(my(c)),
             mysql_sqlstate(my(c)));
    wr_one_line(message);
    if (my_is_lost(c))   /* may ping: the message is copied first */
        return wr_error(err, WR_ECONNECT, "%s: mysql: connection lost: %s", c->who, message);
    return wr_error(err, WR_ERROR, "%s: mysql: %s", c->who, message);
}

/* Reads and frees the current result, if the statement had one. */
static bool discard_result(MYSQL *m)
{
    MYSQL_RES *res = mysql_store_result(m);
    if (res) {
        mysql_free_result(res);
        return true;
    }
    return mysql_field_count(m) == 0;
}

static int my_exec(wr_conn *c, const char *sql, wr_err *err)
{
    MYSQL *m = my(c);
    if (mysql_real_query(m, sql, strlen(sql)) != 0 || !discard_result(m))
        return my_fail(c, err);
    /* CALL returns one more result (its status) */
    while (mysql_more_results(m)) {
        if (mysql_next_result(m) > 0 || !discard_result(m))
            return my_fail(c, err);
    }
    return WR_OK;
}

/* Where the DSN points, for messages: socket path or host:port. */
static void describe_server(const wr_dsn *d, unsigned port, char *out, size_t size)
{
    const char *socket = wr_dsn_get(d, "socket");
    const char *host = wr_dsn_get(d, "host");
    if (socket)
        snprintf(out, size, "socket %s", socket);
    else if (port)
        snprintf(out, size, "%s:%u", host ? host : "localhost", port);
    else
        snprintf(out, size, "%s", host ? host : "localhost");
}

/* TLS, as the DSN asks: ssl_mode disabled (the default: none), required
 * (encrypted, the server's certificate taken as it is) or verify_identity
 * (encrypted, the certificate signed by ssl_ca and naming the host);
 * ssl_cert and ssl_key, a client certificate.  Cloud servers often refuse
 * a connection without TLS (require_secure_transport). */
static int set_tls(MYSQL *m, const wr_dsn *d, const char *who, wr_err *err)
{
    const char *mode = wr_dsn_get(d, "ssl_mode");
    const char *ca = wr_dsn_get(d, "ssl_ca"), *cert = wr_dsn_get(d, "ssl_cert"), *key = wr_dsn_get(d, "ssl_key");
    bool is_verified = mode && strcmp(mode, "verify_identity") == 0;
    if (!mode || strcmp(mode, "disabled") == 0) {
        if (ca || cert || key)
            return wr_error(err, WR_ECONFIG, "%s: DSN: ssl_ca, ssl_cert and ssl_key need ssl_mode=required or "
                                             "ssl_mode=verify_identity", who);
        return 0;
    }
    if (!is_verified && strcmp(mode, "required") != 0)
        return wr_error(err, WR_ECONFIG, "%s: DSN: ssl_mode must be disabled, required or verify_identity, not '%s'",
                        who, mode);
    if (is_verified && !ca)
        return wr_error(err, WR_ECONFIG, "%s: DSN: ssl_mode=verify_identity needs ssl_ca, the file of the "
                                         "certificate authority that signed the server's certificate", who);
    if ((cert == NULL) != (key == NULL))
        return wr_error(err, WR_ECONFIG, "%s: DSN: a client certificate needs both ssl_cert and ssl_key", who);
    my_bool enforce = 1, verify = is_verified;
    if (mysql_options(m, MYSQL_OPT_SSL_ENFORCE, &enforce) || mysql_options(m, MYSQL_OPT_SSL_VERIFY_SERVER_CERT, &verify)
        || (ca && mysql_options(m, MYSQL_OPT_SSL_CA, ca)) || (cert && mysql_options(m, MYSQL_OPT_SSL_CERT, cert))
        || (key && mysql_options(m, MYSQL_OPT_SSL_KEY, key)))
        return wr_error(err, WR_ERROR, "%s: mysql: cannot set the TLS options", who);
    return 0;
}

/* TCP keepalives every minute on a TCP session (as wr_pg.c asks libpq
 * for): a source session waits idle between the loop's runs, and a NAT or
 * a load balancer forgets a connection idle for a few minutes.  Best
 * effort: a socket that refuses them works as before. */
static void keep_alive(MYSQL *m)
{
    int fd = (int)mysql_get_socket(m);
    struct sockaddr_storage addr;
    socklen_t len = sizeof addr;
    if (fd < 0 || getsockname(fd, (struct sockaddr *)&addr, &len) != 0
        || (addr.ss_family != AF_INET && addr.ss_family != AF_INET6))
        return;   /* a unix socket: nothing between to forget it */
    int on = 1, idle = 60, interval = 10, count = 6;
    setsockopt(fd, SOL_SOCKET, SO_KEEPALIVE, &on, sizeof on);
    setsockopt(fd, IPPROTO_TCP, TCP_KEEPIDLE, &idle, sizeof idle);
    setsockopt(fd, IPPROTO_TCP, TCP_KEEPINTVL, &interval, sizeof interval);
    setsockopt(fd, IPPROTO_TCP, TCP_KEEPCNT, &count, sizeof count);
}

/* In seconds. */
typedef struct timeouts {
    unsigned connect, read, write;
} timeouts;

static int open_session(wr_conn *c, const wr_dsn *d, unsigned port, timeouts t, wr_err *err)
{
    MYSQL *m = mysql_init(NULL);
    if (!m)
        return wr_error(err, WR_ENOMEM, "%s: mysql: out of memory", c->who);
    my_bool reconnect = 0;
    if (mysql_options(m, MYSQL_SET_CHARSET_NAME, "utf8mb4") || mysql_options(m, MYSQL_OPT_RECONNECT, &reconnect)
        || mysql_options(m, MYSQL_OPT_CONNECT_TIMEOUT, &t.connect) || mysql_options(m, MYSQL_OPT_READ_TIMEOUT, &t.read)
        || mysql_options(m, MYSQL_OPT_WRITE_TIMEOUT, &t.write)) {
        mysql_close(m);
        return wr_error(err, WR_ERROR, "%s: mysql: cannot set connection options", c->who);
    }
    int rc = set_tls(m, d, c->who, err);
    if (rc) {
        mysql_close(m);
        return rc;
    }
    if (!mysql_real_connect(m, wr_dsn_get(d, "host"), wr_dsn_get(d, "user"), wr_dsn_get(d, "password"),
                            wr_dsn_get(d, "dbname"), port, wr_dsn_get(d, "socket"), 0)) {
        char where[WR_DSN_VALUE_SIZE + 16], message[sizeof err->message];
        describe_server(d, port, where, sizeof where);
        snprintf(message, sizeof message, "%s (error %u)", mysql_error(m), mysql_errno(m));
        wr_one_line(message);
        mysql_close(m);
        return wr_error(err, WR_ECONNECT, "%s: mysql: cannot connect to %s: %s", c->who, where, message);
    }
    keep_alive(m);
    c->handle = m;
    return WR_OK;
}

static int my_connect(wr_conn *c, const char *dsn, wr_err *err)
{
    wr_dsn d;
    unsigned port = 0;
    timeouts t = { 0, 0, 0 };
    int rc = wr_dsn_parse(&d, dsn, false, c->who, err);
    if (!rc)
        rc = wr_dsn_check_keys(&d, KEYS, "mysql", c->who, err);
    if (!rc)
        rc = wr_dsn_get_uint(&d, "port", 1, 65535, 0, &port, c->who, err);
    if (!rc)
        rc = wr_dsn_get_uint(&d, "connect_timeout", 1, 3600, 10, &t.connect, c->who, err);
    if (!rc)
        rc = wr_dsn_get_uint(&d, "read_timeout", 1, 86400, 3600, &t.read, c->who, err);
    if (!rc)
        rc = wr_dsn_get_uint(&d, "write_timeout", 1, 86400, 3600, &t.write, c->who, err);
    if (!rc)
        rc = open_session(c, &d, port, t, err);
    wr_dsn_wipe(&d);
    if (rc)
        return rc;
    /* autocommit too: a server's autocommit = 0 (my.cnf, for applications
     * that commit) would keep a repository's writes uncommitted until they
     * are lost at disconnect, and hold an agent's source session in one
     * snapshot, run after run.  One round trip. */
    rc = my_exec(c, "SET time_zone = '+00:00', sql_mode = 'STRICT_ALL_TABLES,NO_ZERO_DATE,NO_ZERO_IN_DATE', "
                    "autocommit = 1", err);
    if (rc) {   /* the session is unusable as we promise it: no connection */
        my_close(c);
        if (err)
            err->code = WR_ECONNECT;
        return WR_ECONNECT;
    }
    return WR_OK;
}

static int my_prepare(wr_conn *c, const char *sql, int n_params, wr_err *err)
{
    (void)n_params;   /* MySQL counts the ?s itself */
    MYSQL_STMT *st = mysql_stmt_init(my(c));
    if (!st)
        return wr_error(err, WR_ENOMEM, "%s: mysql: out of memory", c->who);
    if (mysql_stmt_prepare(st, sql, strlen(sql)) == 0) {
        mysql_stmt_close(st);
        return WR_OK;
    }
    char message[sizeof err->message];
    snprintf(message, sizeof message, "%s (error %u, SQLSTATE %s)", mysql_stmt_error(st), mysql_stmt_errno(st),
             mysql_stmt_sqlstate(st));
    wr_one_line(message);
    mysql_stmt_close(st);
    return wr_error(err, WR_ERROR, "mysql: %s", message);
}

const wr_driver wr_mysql_driver = {
    .connect = my_connect,
    .close = my_close,
    .exec = my_exec,
    .is_lost = my_is_lost,
    .prepare = my_prepare,
};
