/* Rules for usernames and passwords, shared by the API and the command line. */
#ifndef MERCHANTD_CREDENTIALS_H
#define MERCHANTD_CREDENTIALS_H

#define CREDENTIALS_USERNAME_MIN 3
#define CREDENTIALS_USERNAME_MAX 32
#define CREDENTIALS_PASSWORD_MIN 8
#define CREDENTIALS_PASSWORD_MAX 1024

/* NULL when the username is acceptable, else what is wrong with it. */
const char *credentials_username_problem(const char *username);

#endif
