#ifndef THREADKEEPER_CLIBMD_SHIM_H
#define THREADKEEPER_CLIBMD_SHIM_H
#include <sys/types.h>
#include <stdint.h>
#include <sha2.h>
#endif
