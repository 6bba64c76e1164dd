/* seed.h - todoctl seed: the development user and its tasks. */
#ifndef TODOCTL_SEED_H
#define TODOCTL_SEED_H

/* argv[0] is "seed"; returns the process's exit status */
int seed_main(int argc, char **argv);

#endif
