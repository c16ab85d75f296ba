/* The command line's platform staff commands: create-staff (and its alias
 * create-reviewer) and staff grant|revoke|disable. */
#ifndef MERCHANTD_STAFF_CLI_H
#define MERCHANTD_STAFF_CLI_H

/* merchantd create-staff USERNAME [--permissions P[,P...]]; the password
 * is read from stdin. Returns the exit status. */
int staff_cli_create(int argc, char **argv);
/* merchantd create-reviewer USERNAME: create-staff with "review". */
int staff_cli_create_reviewer(const char *username);
/* merchantd staff grant|revoke USERNAME P[,P...], staff disable USERNAME. */
int staff_cli(int argc, char **argv);

#endif
