#include "boot/options.h"

#include "lib/cmdline.h"
#include "lib/console.h"
#include "lib/printf.h"
#include "lib/string.h"

struct options options = {
	.serial_port = COM1_PORT,
	.baud = DEFAULT_BAUD,
	.timeout_ms = 50,
	.vmcall_rounds = 1000,
};

static const struct option option_table[] = {
	{ .key = "serial", .type = OPT_UINT, .dest = &options.serial_port, .min = 1, .max = 0xffff,
	  .help = "I/O port of the 16550 UART (default 0x3f8, COM1)" },
	{ .key = "baud", .type = OPT_UINT, .dest = &options.baud, .min = 50, .max = 115200,
	  .help = "serial speed (default 115200)" },
	{ .key = "verbose", .type = OPT_FLAG, .dest = &options.verbose,
	  .help = "step-by-step trace of every experiment" },
	{ .key = "reboot", .type = OPT_FLAG, .dest = &options.reboot,
	  .help = "reset the machine at the end instead of halting (hardware)" },
	{ .key = "timeout", .type = OPT_UINT, .dest = &options.timeout_ms, .min = 1, .max = 600000,
	  .help = "ms a wait may take before it is declared stuck (default 50)" },
	{ .key = "vmcalls", .type = OPT_UINT, .dest = &options.vmcall_rounds, .min = 1, .max = 100000000,
	  .help = "VMCALL round trips in the self-test (default 1000)" },
};

static char scratch[1024];

bool options_parse(const char *cmdline, char *err, unsigned errlen)
{
	if (strlen(cmdline) >= sizeof(scratch)) {
		snprintf(err, errlen, "command line longer than %u characters", (unsigned)sizeof(scratch) - 1);
		return false;
	}
	return cmdline_parse(cmdline, option_table, sizeof(option_table) / sizeof(option_table[0]),
			     scratch, sizeof(scratch), err, errlen) == 0;
}
