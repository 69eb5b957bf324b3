/* The VMX backend of hv/hv.h. */
#ifndef VMX_BACKEND_H
#define VMX_BACKEND_H

#include "hv/hv.h"

extern const struct hv_backend vmx_backend;

#endif
