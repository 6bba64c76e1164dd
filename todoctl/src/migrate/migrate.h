/* migrate.h - todoctl migrate: show, upgrade or downgrade the schema version. */
#ifndef TODOCTL_MIGRATE_H
#define TODOCTL_MIGRATE_H

/* argv[0] is "migrate"; returns the process's exit status */
int migrate_main(int argc, char **argv);

#endif
