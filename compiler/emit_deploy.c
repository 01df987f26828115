/* emit_deploy.c - how an etl tenant's sync agent is run, for the two
 * schedulers ARCHITECTURE.md names: a systemd service and its timer, and a
 * Kubernetes CronJob (a Deployment running the agent's own loop when cron
 * cannot say the interval).  Every agent is independent, so thousands of
 * tenants are thousands of these; each starts at an offset of its own
 * within the interval, so that they do not all wake at once.  The DSNs are
 * never here: systemd reads them from a file, Kubernetes from a Secret. */
#include <stdio.h>
#include <string.h>

#include "emit.h"

/* A stable number per tenant: its start offset within the interval. */
static uint64_t tenant_hash(const char *name)
{
    uint64_t h = 1469598103934665603u;
    for (const char *c = name; *c; c++)
        h = (h ^ (unsigned char)*c) * 1099511628211u;
    return h;
}

static uint64_t interval_minutes(const wm_tenant *t)
{
    uint64_t s = t->interval_seconds ? t->interval_seconds : 15 * 60;
    return s / 60 ? s / 60 : 1;
}

static const char *every_text(wm_arena *a, uint64_t minutes)
{
    if (minutes % (24 * 60) == 0)
        return wm_arena_printf(a, "%llu day%s", (unsigned long long)(minutes / 1440), minutes == 1440 ? "" : "s");
    if (minutes % 60 == 0)
        return wm_arena_printf(a, "%llu hour%s", (unsigned long long)(minutes / 60), minutes == 60 ? "" : "s");
    return wm_arena_printf(a, "%llu minute%s", (unsigned long long)minutes, minutes == 1 ? "" : "s");
}

static void emit_header(const wm_emit_ctx *cx, wm_printer *p, const wm_tenant *t, const char *what)
{
    wm_emit_banner(cx, p, "# ", "");
    wm_print(p, "# The sync agent of tenant $t$ ($s$ -> $d$), every $every$: $what$.\n", "t", t->name, "s",
             wm_dialect_name(t->source.dialect), "d", wm_dialect_name(t->target.dialect), "every",
             every_text(cx->arena, interval_minutes(t)), "what", what, NULL);
}

/* ---- systemd ------------------------------------------------------------------ */

void wm_emit_systemd_service(const wm_emit_ctx *cx, wm_printer *p, const wm_tenant *t)
{
    emit_header(cx, p, t, "one run each time its timer fires");
    wm_print(p,
             "# Install the agent (wellosc build) as /usr/local/bin/wellos-sync-$t$, put\n"
             "# $src$=... and $dst$=... in /etc/wellos/$t$.env\n"
             "# (owned by the user below, mode 0600), run the agent once with --init,\n"
             "# then: systemctl enable --now wellos-sync-$t$.timer\n"
             "[Unit]\n"
             "Description=WellOS sync of tenant $t$\n"
             "Wants=network-online.target\n"
             "After=network-online.target\n"
             "\n"
             "[Service]\n"
             "Type=oneshot\n"
             "ExecStart=/usr/local/bin/wellos-sync-$t$ --once --config /etc/wellos/$t$.env\n"
             "User=wellos-sync\n"
             "Group=wellos-sync\n"
             "# A first load of a large table may take long; the agent bounds every\n"
             "# wait on a database itself (connect_timeout, read_timeout).\n"
             "TimeoutStartSec=infinity\n"
             "# SIGTERM: the agent commits or rolls back its batch, then stops.\n"
             "TimeoutStopSec=60\n"
             "# Its memory stays flat, about 11 MiB (bench/README.md).\n"
             "MemoryMax=64M\n"
             "NoNewPrivileges=yes\n"
             "ProtectSystem=strict\n"
             "ProtectHome=yes\n"
             "PrivateTmp=yes\n"
             "PrivateDevices=yes\n"
             "ProtectKernelTunables=yes\n"
             "ProtectKernelModules=yes\n"
             "ProtectControlGroups=yes\n"
             "RestrictAddressFamilies=AF_UNIX AF_INET AF_INET6\n"
             "LockPersonality=yes\n",
             "t", t->name, "src", t->source.dsn_env, "dst", t->target.dsn_env, NULL);
}

void wm_emit_systemd_timer(const wm_emit_ctx *cx, wm_printer *p, const wm_tenant *t)
{
    uint64_t m = interval_minutes(t);
    uint64_t spread = m * 60 / 10 ? m * 60 / 10 : 1;
    emit_header(cx, p, t, wm_arena_printf(cx->arena, "the timer of wellos-sync-%s.service", t->name));
    wm_print(p,
             "[Unit]\n"
             "Description=WellOS sync of tenant $t$, every $every$\n"
             "\n"
             "[Timer]\n"
             "OnBootSec=1min\n"
             "# From the end of one run, so that a long run delays the next\n"
             "# instead of overlapping it.\n"
             "OnUnitInactiveSec=$m$min\n"
             "# Up to a tenth of the interval, so that a host's agents spread out.\n"
             "RandomizedDelaySec=$spread$s\n"
             "AccuracySec=1s\n"
             "\n"
             "[Install]\n"
             "WantedBy=timers.target\n",
             "t", t->name, "every", every_text(cx->arena, m), "m",
             wm_arena_printf(cx->arena, "%llu", (unsigned long long)m), "spread",
             wm_arena_printf(cx->arena, "%llu", (unsigned long long)spread), NULL);
}

/* ---- Kubernetes ------------------------------------------------------------- */

/* An object name: lower case, '-' for '_', at most 52 characters (a
 * CronJob's limit: its Jobs add 11), with a hash when cut. */
static const char *k8s_name(wm_arena *a, const char *tenant)
{
    char buf[64];
    size_t n = 0;
    for (const char *c = tenant; *c && n < sizeof buf - 1; c++)
        buf[n++] = *c == '_' ? '-' : (*c >= 'A' && *c <= 'Z') ? (char)(*c - 'A' + 'a') : *c;
    buf[n] = '\0';
    while (n > 0 && buf[n - 1] == '-')
        buf[--n] = '\0';
    const char *base = buf;
    while (*base == '-')
        base++;
    if (strlen(base) + strlen("wellos-sync-") <= 52 && strlen(tenant) < sizeof buf - 1)
        return wm_arena_printf(a, "wellos-sync-%s", base);
    return wm_arena_printf(a, "wellos-sync-%.31s-%08llx", base,
                           (unsigned long long)(tenant_hash(tenant) & 0xffffffffu));
}

/* A cron schedule for the interval, starting at the tenant's own offset;
 * NULL when cron cannot say it (45 minutes, 5 hours, 2 days). */
static const char *cron_schedule(wm_arena *a, const wm_tenant *t)
{
    uint64_t m = interval_minutes(t), h = tenant_hash(t->name);
    if (m == 1)
        return "* * * * *";
    if (m < 60 && 60 % m == 0)
        return wm_arena_printf(a, "%llu-59/%llu * * * *", (unsigned long long)(h % m), (unsigned long long)m);
    if (m % 60 == 0 && m / 60 < 24 && 24 % (m / 60) == 0) {
        uint64_t hours = m / 60;
        return wm_arena_printf(a, "%llu %llu-23/%llu * * *", (unsigned long long)(h % 60),
                               (unsigned long long)(h / 60 % hours), (unsigned long long)hours);
    }
    if (m == 24 * 60)
        return wm_arena_printf(a, "%llu %llu * * *", (unsigned long long)(h % 60), (unsigned long long)(h / 60 % 24));
    return NULL;
}

/* The pod: one container running the agent, its DSNs from the Secret;
 * every line begins with `in` (YAML nests by indentation). */
static void emit_pod_spec(wm_printer *p, const wm_tenant *t, const char *name, const char *image, bool is_once,
                          const char *in)
{
    wm_print(p,
             "$in$terminationGracePeriodSeconds: 60   # SIGTERM: the agent ends its batch, then stops\n"
             "$in$securityContext:\n"
             "$in$  runAsNonRoot: true\n"
             "$in$  runAsUser: 65532\n"
             "$in$containers:\n"
             "$in$  - name: agent\n"
             "$in$    image: $image$\n"
             "$in$    command: [\"/usr/local/bin/wellos-sync-$t$\"$once$]\n"
             "$in$    env:\n"
             "$in$      - name: $src$\n"
             "$in$        valueFrom: {secretKeyRef: {name: $name$, key: $src$}}\n"
             "$in$      - name: $dst$\n"
             "$in$        valueFrom: {secretKeyRef: {name: $name$, key: $dst$}}\n"
             "$in$    resources:   # its memory stays flat, about 11 MiB (bench/README.md)\n"
             "$in$      requests: {cpu: 100m, memory: 32Mi}\n"
             "$in$      limits: {memory: 64Mi}\n"
             "$in$    securityContext:\n"
             "$in$      allowPrivilegeEscalation: false\n"
             "$in$      readOnlyRootFilesystem: true\n"
             "$in$      capabilities: {drop: [ALL]}\n",
             "in", in, "image", image, "t", t->name, "once", is_once ? ", \"--once\"" : "", "src",
             t->source.dsn_env, "dst", t->target.dsn_env, "name", name, NULL);
}

void wm_emit_kubernetes(const wm_emit_ctx *cx, wm_printer *p, const wm_tenant *t, const char *spec_hash)
{
    wm_arena *a = cx->arena;
    const char *name = k8s_name(a, t->name);
    const char *image = wm_arena_printf(a, "%s:spec-%s", name, spec_hash);
    const char *schedule = cron_schedule(a, t);
    emit_header(cx, p, t, schedule ? "a Kubernetes CronJob"
                                   : "a Kubernetes Deployment running the agent's own loop (cron cannot say "
                                     "the interval)");
    wm_print(p,
             "# Before the first run: build the agent (wellosc build) into the image\n"
             "# below, at /usr/local/bin/wellos-sync-$t$ (its --version prints the spec\n"
             "# hash of the tag); create the Secret $name$ with the keys\n"
             "# $src$ and $dst$; run the agent once with --init.\n"
             "apiVersion: $api$\n"
             "kind: $kind$\n"
             "metadata:\n"
             "  name: $name$\n"
             "  labels: {app.kubernetes.io/name: wellos-sync, app.kubernetes.io/instance: $name$}\n"
             "spec:\n",
             "t", t->name, "name", name, "src", t->source.dsn_env, "dst", t->target.dsn_env, "api",
             schedule ? "batch/v1" : "apps/v1", "kind", schedule ? "CronJob" : "Deployment", NULL);
    if (schedule) {
        uint64_t m = interval_minutes(t);
        wm_print(p,
                 "  schedule: \"$schedule$\"   # every $every$, from this tenant's own minute\n"
                 "  concurrencyPolicy: Forbid   # a run still going when the next is due: skip that one\n"
                 "  startingDeadlineSeconds: $deadline$\n"
                 "  successfulJobsHistoryLimit: 1\n"
                 "  failedJobsHistoryLimit: 3\n"
                 "  jobTemplate:\n"
                 "    spec:\n"
                 "      backoffLimit: 0   # a failed run is retried by the next one, which resumes\n"
                 "      template:\n"
                 "        metadata:\n"
                 "          labels: {app.kubernetes.io/name: wellos-sync, app.kubernetes.io/instance: $name$}\n"
                 "        spec:\n"
                 "          restartPolicy: Never\n",
                 "schedule", schedule, "every", every_text(a, m), "deadline",
                 wm_arena_printf(a, "%llu", (unsigned long long)(m * 60)), "name", name, NULL);
        emit_pod_spec(p, t, name, image, true, "          ");
    } else {
        wm_print(p,
                 "  replicas: 1\n"
                 "  strategy: {type: Recreate}   # never two agents of one tenant at once\n"
                 "  selector:\n"
                 "    matchLabels: {app.kubernetes.io/name: wellos-sync, app.kubernetes.io/instance: $name$}\n"
                 "  template:\n"
                 "    metadata:\n"
                 "      labels: {app.kubernetes.io/name: wellos-sync, app.kubernetes.io/instance: $name$}\n"
                 "    spec:\n",
                 "name", name, NULL);
        emit_pod_spec(p, t, name, image, false, "      ");
    }
}
