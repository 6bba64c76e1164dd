/* import.h - todoctl import: the legacy SQLite database into PostgreSQL. */
#ifndef TODOCTL_IMPORT_H
#define TODOCTL_IMPORT_H

/* argv[0] is "import"; returns the process's exit status */
int import_main(int argc, char **argv);

#endif
