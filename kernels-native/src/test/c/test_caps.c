/* The capability probe returns a known tier, the same one every time, with a name. */
#include <stdio.h>
#include <string.h>

#include "thimble.h"

int main(void) {
    int failures = 0;
    int32_t tier = thimble_cpu_tier();
    if (tier < THIMBLE_TIER_SCALAR || tier > THIMBLE_TIER_AVX512) {
        fprintf(stderr, "unexpected tier %d\n", tier);
        failures++;
    }
    if (thimble_cpu_tier() != tier) {
        fprintf(stderr, "tier changed between calls\n");
        failures++;
    }
    if (strcmp(thimble_tier_name(tier), "unknown") == 0) {
        fprintf(stderr, "tier %d has no name\n", tier);
        failures++;
    }
    if (thimble_abi_version() != THIMBLE_ABI_VERSION) {
        fprintf(stderr, "ABI version mismatch\n");
        failures++;
    }
    printf("cpu tier: %s\n", thimble_tier_name(tier));
    return failures == 0 ? 0 : 1;
}
