/* tests/repo/marker.h - the tenant marker (README "The tenant marker",
 * runtime/wr.h) held to its rule by the repositories of a native or etl
 * tenant, whichever CFG (entities.h) describes: every operation, reads and
 * writes, of every entity runs only in a database whose table
 * wellos_tenant names this tenant and no other; otherwise it fails with
 * WR_ETENANT, naming both tenants, and no row changes.  Checked once per
 * session, again after a reconnect.  The tenant's database must be marked
 * for it when the suite starts (tests/repo/run.sh), and is again after. */
#ifndef REPO_MARKER_H
#define REPO_MARKER_H

#include "entities.h"

int marker_suite_init(void);
int marker_suite_cleanup(void);

extern const test_case marker_cases[];
extern const size_t n_marker_cases;

#endif
