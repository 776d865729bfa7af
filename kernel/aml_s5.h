/* Find the \_S5_ sleep type values in DSDT AML without an interpreter. Pure. */
#ifndef THAW_AML_S5_H
#define THAW_AML_S5_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Look for `Name (_S5_, Package () { a, b, ... })` in aml[len]; on success set
 * *slp_typa = a and *slp_typb = b. Never reads outside aml[0, len). */
bool aml_find_s5(const uint8_t *aml, size_t len, uint8_t *slp_typa, uint8_t *slp_typb);

#endif
