#include "hv/hv.h"

const struct hv_backend *hv;
