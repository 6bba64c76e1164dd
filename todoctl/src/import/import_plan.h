/* import_plan.h - what becomes of each staged row: today's form, today's rules, the options. */
#ifndef TODOCTL_IMPORT_PLAN_H
#define TODOCTL_IMPORT_PLAN_H

#include "import_run.h"

/*
 * Runs the plan in the database, on the staging tables import_copy_all filled: users,
 * then tasks and sessions (whose owners follow from the users' outcomes), each normalized
 * (sql/import_normalize.sql), checked against the target table's constraints
 * (sql/import_check.sql), and given an outcome by the options (sql/import_decide.sql).
 * Then reads the counts of each outcome into run->counts. Nothing is written to the todo
 * tables. 0, or -1 after printing why.
 */
int import_plan(struct import_run *run);

#endif
