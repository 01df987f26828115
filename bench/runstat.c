/* runstat.c - run a command K times and report its wall time (median,
 * min, max; CLOCK_MONOTONIC around fork/execvp/wait4) and its peak resident
 * memory (the largest ru_maxrss of the runs).  A reusable tool for every
 * benchmark of the project.
 *
 *   runstat [-n RUNS] [-w WARMUP] [-e STATUS] [-q] [-m] [--] COMMAND [ARG...]
 *
 *   -n RUNS     measured runs (default 5)
 *   -w WARMUP   runs before those, not measured (default 0)
 *   -e STATUS   the exit status every run must have (default 0); any other
 *               status, or a signal, makes runstat fail with status 1
 *   -q          send the command's standard output and error to /dev/null
 *   -m          print one line for scripts instead of the human summary:
 *               runs=5 median_s=0.123456 min_s=... max_s=... maxrss_kb=...
 *
 * Exit status: 0, 1 (a run ended badly), 2 (bad usage or cannot run). */
#define _DEFAULT_SOURCE /* wait4 */

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static void usage(void)
{
    fputs("usage: runstat [-n RUNS] [-w WARMUP] [-e STATUS] [-q] [-m] [--] COMMAND [ARG...]\n",
          stderr);
    exit(2);
}

static long number(const char *s, long lo, long hi)
{
    char *end;
    errno = 0;
    long v = strtol(s, &end, 10);
    if (errno || end == s || *end || v < lo || v > hi) {
        fprintf(stderr, "runstat: '%s' is not a number from %ld to %ld\n", s, lo, hi);
        exit(2);
    }
    return v;
}

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* One run: its wall time in seconds, its peak RSS in KiB; false (and a
 * message) when it did not exit with the expected status. */
static int run_once(char **argv, int is_quiet, int expected, double *secs, long *maxrss_kb)
{
    double start = now();
    pid_t pid = fork();
    if (pid < 0) {
        perror("runstat: fork");
        exit(2);
    }
    if (pid == 0) {
        if (is_quiet) {
            int fd = open("/dev/null", O_WRONLY);
            if (fd >= 0) {
                dup2(fd, STDOUT_FILENO);
                dup2(fd, STDERR_FILENO);
                close(fd);
            }
        }
        execvp(argv[0], argv);
        fprintf(stderr, "runstat: cannot run '%s': %s\n", argv[0], strerror(errno));
        _exit(127);
    }
    int status;
    struct rusage ru;
    while (wait4(pid, &status, 0, &ru) < 0) {
        if (errno != EINTR) {
            perror("runstat: wait4");
            exit(2);
        }
    }
    *secs = now() - start;
    *maxrss_kb = ru.ru_maxrss; /* Linux: KiB */
    if (WIFSIGNALED(status)) {
        fprintf(stderr, "runstat: '%s' was killed by signal %d\n", argv[0], WTERMSIG(status));
        return 0;
    }
    if (WEXITSTATUS(status) == 127 && expected != 127)
        exit(2); /* could not exec: said so in the child */
    if (WEXITSTATUS(status) != expected) {
        fprintf(stderr, "runstat: '%s' exited with status %d, not %d\n", argv[0],
                WEXITSTATUS(status), expected);
        return 0;
    }
    return 1;
}

static int by_value(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

int main(int argc, char **argv)
{
    long runs = 5, warmup = 0, expected = 0;
    int is_quiet = 0, is_machine = 0;
    int i = 1;
    for (; i < argc && argv[i][0] == '-'; i++) {
        const char *a = argv[i];
        if (strcmp(a, "--") == 0) {
            i++;
            break;
        }
        if (strcmp(a, "-q") == 0)
            is_quiet = 1;
        else if (strcmp(a, "-m") == 0)
            is_machine = 1;
        else if (strcmp(a, "-n") == 0 && i + 1 < argc)
            runs = number(argv[++i], 1, 1000000);
        else if (strcmp(a, "-w") == 0 && i + 1 < argc)
            warmup = number(argv[++i], 0, 1000000);
        else if (strcmp(a, "-e") == 0 && i + 1 < argc)
            expected = number(argv[++i], 0, 255);
        else
            usage();
    }
    if (i >= argc)
        usage();
    char **cmd = argv + i;

    int ok = 1;
    double ignored;
    long rss, max_rss = 0;
    for (long k = 0; k < warmup; k++)
        ok &= run_once(cmd, is_quiet, (int)expected, &ignored, &rss);
    double *times = malloc((size_t)runs * sizeof *times);
    if (!times) {
        fputs("runstat: out of memory\n", stderr);
        return 2;
    }
    for (long k = 0; k < runs; k++) {
        ok &= run_once(cmd, is_quiet, (int)expected, &times[k], &rss);
        if (rss > max_rss)
            max_rss = rss;
    }
    qsort(times, (size_t)runs, sizeof *times, by_value);
    double median = runs % 2 ? times[runs / 2] : (times[runs / 2 - 1] + times[runs / 2]) / 2;
    if (is_machine)
        printf("runs=%ld median_s=%.6f min_s=%.6f max_s=%.6f maxrss_kb=%ld\n", runs, median,
               times[0], times[runs - 1], max_rss);
    else
        printf("%ld run%s of %s: median %.3f s (min %.3f, max %.3f), peak RSS %.1f MiB\n",
               runs, runs == 1 ? "" : "s", cmd[0], median, times[0], times[runs - 1],
               (double)max_rss / 1024);
    free(times);
    return ok ? 0 : 1;
}
