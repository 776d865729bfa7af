/* thawctl lvm: list and read LVM2 logical volumes with thaw's own lvm/ code. */
#ifndef THAW_TOOLS_LVM_CMD_H
#define THAW_TOOLS_LVM_CMD_H

int thawctl_lvm(int argc, char **argv);

#endif
