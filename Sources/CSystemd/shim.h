#ifndef THREADKEEPER_CSYSTEMD_SHIM_H
#define THREADKEEPER_CSYSTEMD_SHIM_H
#include <systemd/sd-journal.h>
#include <systemd/sd-daemon.h>
#endif
