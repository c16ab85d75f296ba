/* merchantd stats rebuild|check: the data pages' rollups from the command
 * line (docs/data.md). */
#ifndef MERCHANTD_STATS_CLI_H
#define MERCHANTD_STATS_CLI_H

int stats_cli(int argc, char **argv);

#endif
