/* SPDX-License-Identifier: MIT */
/* svm_check.h: naming the consistency check a refused VMCB fails (svm_check.c). */
#ifndef SVM_CHECK_H
#define SVM_CHECK_H

#include "vmcb.h"

/* The first APM consistency rule the VMCB breaks, as an English phrase. */
const char *svm_check_state(const struct vmcb *vmcb);

#endif
