/* The VMCB (APM Vol. 2, Appendix B): one 4-KiB page the processor reads at VMRUN and
 * writes at #VMEXIT, accessed by offset (machine/svm_arch.h). One guest, one VMCB: the
 * experimenter's (svm/svm.c points vmcb at it). */
#ifndef SVM_VMCB_H
#define SVM_VMCB_H

#include <stdint.h>

extern uint8_t *vmcb;

static inline uint8_t vmcb_read8(unsigned off) { return *(volatile uint8_t *)(vmcb + off); }
static inline uint16_t vmcb_read16(unsigned off) { return *(volatile uint16_t *)(vmcb + off); }
static inline uint32_t vmcb_read32(unsigned off) { return *(volatile uint32_t *)(vmcb + off); }
static inline uint64_t vmcb_read64(unsigned off) { return *(volatile uint64_t *)(vmcb + off); }
static inline void vmcb_write8(unsigned off, uint8_t v) { *(volatile uint8_t *)(vmcb + off) = v; }
static inline void vmcb_write16(unsigned off, uint16_t v) { *(volatile uint16_t *)(vmcb + off) = v; }
static inline void vmcb_write32(unsigned off, uint32_t v) { *(volatile uint32_t *)(vmcb + off) = v; }
static inline void vmcb_write64(unsigned off, uint64_t v) { *(volatile uint64_t *)(vmcb + off) = v; }

static inline void vmcb_set_bits32(unsigned off, uint32_t bits, int on)
{
	uint32_t v = vmcb_read32(off);
	vmcb_write32(off, on ? v | bits : v & ~bits);
}

#endif
