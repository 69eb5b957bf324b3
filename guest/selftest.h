#ifndef GUEST_SELFTEST_H
#define GUEST_SELFTEST_H

void guest_selftest_main(void);

#endif
