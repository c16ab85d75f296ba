/* The command line's funds commands: funds check (the reconciliation) and
 * verify-statement (a statement's signature). */
#ifndef MERCHANTD_FUNDS_CLI_H
#define MERCHANTD_FUNDS_CLI_H

/* merchantd funds check: prints each difference, exits 0 when there is
 * none, 1 when there is any or the checks could not run. */
int funds_cli(int argc, char **argv);
/* merchantd verify-statement FILE [--key PUBLIC]: exits 0 when the file's
 * signature is the platform key's over every byte before it, 1 when not. */
int funds_cli_verify(int argc, char **argv);

#endif
