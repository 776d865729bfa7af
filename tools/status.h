/* thawctl's status subcommand (tools/status.c). */
#ifndef THAW_TOOLS_STATUS_H
#define THAW_TOOLS_STATUS_H

/* Exit code when a check fails: the next hibernation will not resume through thaw. */
#define STATUS_EXIT_NOT_READY 6

/* argv[1] is "status"; returns thawctl's exit code (0 ready, 6 not, 2 usage). */
int thawctl_status(int argc, char **argv);

#endif
