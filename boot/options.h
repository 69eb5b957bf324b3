/* The user's choices, from the multiboot command line (README: "Options"). */
#ifndef BOOT_OPTIONS_H
#define BOOT_OPTIONS_H

#include <stdbool.h>
#include <stdint.h>

struct options {
	uint64_t serial_port;
	uint64_t baud;
	bool verbose;
	bool reboot;
	uint64_t timeout_ms;     /* watchdog bound for one wait */
	uint64_t vmcall_rounds;  /* self-test: VMCALL round trips */
};

extern struct options options;

/* Returns false with a message (naming the valid keys) in err. */
bool options_parse(const char *cmdline, char *err, unsigned errlen);

#endif
