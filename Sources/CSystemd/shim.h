#ifndef TRIPLINE_CSYSTEMD_SHIM_H
#define TRIPLINE_CSYSTEMD_SHIM_H
// Debian's libsystemd-dev: the systemd journal, read through sd-journal.
#include <systemd/sd-journal.h>
#endif
