/* thawctl's kexec subcommand (tools/kexec.c). */
#ifndef THAW_TOOLS_KEXEC_H
#define THAW_TOOLS_KEXEC_H

/* argv[1] is "kexec"; returns thawctl's exit code. */
int thawctl_kexec(int argc, char **argv);

#endif
