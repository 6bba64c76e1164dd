/* locks.h - the advisory locks by which todoctl's commands keep out of each other's way.
 * Transaction-level (pg_advisory_xact_lock*): the server releases them when the
 * transaction ends, even when todoctl is killed. */
#ifndef TODOCTL_LOCKS_H
#define TODOCTL_LOCKS_H

/* todoctl migrate takes it exclusive: one migration at a time per database. todoctl import
 * takes it shared: never during a migration (imports exclude each other by the next). */
#define LOCKS_MIGRATE "pg_catalog.hashtext('todoctl migrate')"

/* todoctl import: exclusive, one import at a time per database. */
#define LOCKS_IMPORT  "pg_catalog.hashtext('todoctl import')"

#endif
