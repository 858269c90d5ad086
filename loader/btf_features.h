/* Which BTF kinds and linkages this kernel's BTF checker knows, asked of
 * the kernel itself: one tiny BPF_BTF_LOAD per feature (obj/
 * btf_sanitize.h's BTF_FEAT_*), made the first time that feature is
 * asked about and remembered for the rest of the process. */
#ifndef RAWTRACE_BTF_FEATURES_H
#define RAWTRACE_BTF_FEATURES_H

/* The features among wanted that the kernel refuses. */
unsigned kernel_btf_missing(unsigned wanted);

#endif
