#include "boot/smp.h"

#include "lib/apic.h"
#include "lib/string.h"
#include "lib/timer.h"
#include "machine/layout.h"

#define LOW_MEMORY_END 0xa0000   /* above this sits the VGA hole and the BIOS */
#define AP_START_TIMEOUT_MS 200

extern const uint8_t trampoline_start[], trampoline_end[];
extern const uint8_t trampoline_gdtr[], trampoline_target[];
extern const uint8_t gdt_pointer[];
extern const uint8_t ap_entry32[];

/* Read by ap_entry32 (32-bit code, hence 32 bits wide: our stacks live below 4 GiB). */
uint32_t ap_boot_stack;

static uintptr_t choose_trampoline_page(const struct boot_info *b)
{
	if (!b->mmap_count || bootinfo_range_available(b, TRAMPOLINE_DEFAULT, PAGE_SIZE))
		return TRAMPOLINE_DEFAULT;
	for (uintptr_t page = 0x1000; page < LOW_MEMORY_END; page += PAGE_SIZE)
		if (bootinfo_range_available(b, page, PAGE_SIZE))
			return page;
	return 0;
}

static void install_trampoline(uintptr_t page)
{
	uint8_t *dst = (uint8_t *)page;
	size_t size = (size_t)(trampoline_end - trampoline_start);
	memcpy(dst, trampoline_start, size);
	memcpy(dst + (trampoline_gdtr - trampoline_start), gdt_pointer, 6);
	uint32_t target = (uint32_t)(uintptr_t)ap_entry32;
	memcpy(dst + (trampoline_target - trampoline_start), &target, 4);
}

static bool wait_online(struct cpu *ap, uint64_t timeout_us)
{
	uint64_t deadline = time_us() + timeout_us;
	while (time_us() < deadline) {
		if (ap->online)
			return true;
		pause();
	}
	return ap->online;
}

bool smp_start_ap(const struct boot_info *b, uint32_t apic_id, struct cpu *ap, const char **why)
{
	uintptr_t page = choose_trampoline_page(b);
	if (!page) {
		*why = "no free page below 640 KiB for the AP trampoline";
		return false;
	}
	install_trampoline(page);
	ap_boot_stack = (uint32_t)cpu_host_stack_top(ap);
	__sync_synchronize();

	/* SDM Vol. 3A 9.4.4.1: INIT, 10 ms, SIPI, 200 us, SIPI. */
	apic_send_ipi(apic_id, APIC_DM_INIT);
	spin_us(10000);
	for (int i = 0; i < 2 && !ap->online; i++) {
		apic_send_ipi(apic_id, APIC_DM_STARTUP | (uint32_t)(page >> 12));
		spin_us(200);
	}
	if (!wait_online(ap, AP_START_TIMEOUT_MS * 1000)) {
		*why = "the AP did not answer INIT-SIPI-SIPI within " VALUE_TEXT(AP_START_TIMEOUT_MS) " ms";
		return false;
	}
	return true;
}
