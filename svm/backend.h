/* The SVM backend of hv/hv.h. */
#ifndef SVM_BACKEND_H
#define SVM_BACKEND_H

#include "hv/hv.h"

extern const struct hv_backend svm_backend;

#endif
