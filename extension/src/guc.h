/* guc.h: the todo.* settings */
#ifndef TODO_GUC_H
#define TODO_GUC_H

/* the HMAC key in effect: todo.jwt_secret when set, else todo.jwt_secret_file's contents */
extern char *TodoJwtSecret;
extern char *TodoJwtIssuer;
extern char *TodoJwtAudience;
extern int	TodoJwtLeeway;
extern int	TodoJwtLifetime;
extern int	TodoBcryptCost;
extern int	TodoMaxTasksPerUser;

extern void GucsInit(void);

#endif							/* TODO_GUC_H */
