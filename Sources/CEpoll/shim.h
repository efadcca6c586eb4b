// epoll(7) and eventfd(2), which Glibc's Swift module map leaves out; imported only by the Emulator.
#include <sys/epoll.h>
#include <sys/eventfd.h>
