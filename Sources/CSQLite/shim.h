#ifndef THREADKEEPER_CSQLITE_SHIM_H
#define THREADKEEPER_CSQLITE_SHIM_H
#include <sqlite3.h>
#endif
