#include "tests/catalogue_common.h"

#include "lib/printf.h"

/* Every platform_kind, in enum order; the banner names are lib/platform.c's
 * (tests/report/test_catalogue.py checks that they still appear there). */
const struct platform_names platform_names[] = {
	{ PLATFORM_BARE_METAL, "bare-metal", "bare metal" },
	{ PLATFORM_KVM, "kvm", "KVM" },
	{ PLATFORM_QEMU_TCG, "qemu-tcg", "QEMU TCG" },
	{ PLATFORM_VMWARE, "vmware", "VMware" },
	{ PLATFORM_HYPERV, "hyper-v", "Hyper-V" },
	{ PLATFORM_XEN, "xen", "Xen" },
	{ PLATFORM_VIRTUALBOX, "virtualbox", "VirtualBox" },
	{ PLATFORM_BOCHS, "bochs", "Bochs" },
	{ PLATFORM_OTHER_HYPERVISOR, "other-hypervisor", "unknown hypervisor" },
};
const unsigned platform_names_count = sizeof(platform_names) / sizeof(platform_names[0]);

_Static_assert(sizeof(platform_names) / sizeof(platform_names[0]) == PLATFORM_OTHER_HYPERVISOR + 1,
	       "platform_names must list every enum platform_kind");

void experiment_anchor(unsigned number, char *buf, unsigned len)
{
	snprintf(buf, len, "experiment-%u", number);
}
