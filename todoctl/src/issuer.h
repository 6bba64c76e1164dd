/* issuer.h - todoctl issuer add|list|remove: the trusted token issuers (Better Auth...). */
#ifndef TODOCTL_ISSUER_H
#define TODOCTL_ISSUER_H

/* argv[0] is "issuer"; returns the process's exit status */
int issuer_main(int argc, char **argv);

#endif
