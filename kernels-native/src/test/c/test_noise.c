/* Noise kernels: every tier bit-identical to the C scalar path (fill, add, perturb with its
 * exception list and stopping point), the scalar path equal to known values computed by Java's
 * dev.thimble.random.NoiseStream, and every buffer ending at a guard page (PROT_NONE) so that a
 * read or write past the end crashes the test. */
#include "harness.h"

typedef struct {
    int32_t stream;
    uint64_t seed;
    int32_t tid;
    int64_t index;
    uint32_t bits;
} kat_t;

/* printed by Java: NoiseStream.value(stream, seed, tid, index) */
static const kat_t KAT[] = {
    {0, UINT64_C(0x0000000000000000), 0, INT64_C(0), 0xbf800000u},
    {0, UINT64_C(0x0000000000000000), 0, INT64_C(1), 0x3f800000u},
    {0, UINT64_C(0x0000000000000000), 0, INT64_C(63), 0xbf800000u},
    {0, UINT64_C(0x0000000000000000), 0, INT64_C(64), 0x3f800000u},
    {0, UINT64_C(0x0000000000000000), 0, INT64_C(127), 0xbf800000u},
    {0, UINT64_C(0x0000000000000000), 0, INT64_C(128), 0x3f800000u},
    {0, UINT64_C(0x0000000000000000), 0, INT64_C(1000003), 0xbf800000u},
    {0, UINT64_C(0x0000000000000000), 0, INT64_C(1099511627793), 0xbf800000u},
    {1, UINT64_C(0x0000000000000000), 0, INT64_C(0), 0x3fd359ccu},
    {1, UINT64_C(0x0000000000000000), 0, INT64_C(1), 0xbe333127u},
    {1, UINT64_C(0x0000000000000000), 0, INT64_C(63), 0xbf1c8562u},
    {1, UINT64_C(0x0000000000000000), 0, INT64_C(64), 0x3ec77ba5u},
    {1, UINT64_C(0x0000000000000000), 0, INT64_C(127), 0x3fe869adu},
    {1, UINT64_C(0x0000000000000000), 0, INT64_C(128), 0xbe923fc2u},
    {1, UINT64_C(0x0000000000000000), 0, INT64_C(1000003), 0x3f697e0du},
    {1, UINT64_C(0x0000000000000000), 0, INT64_C(1099511627793), 0xbfbee07fu},
    {2, UINT64_C(0x0000000000000000), 0, INT64_C(0), 0x3fa16768u},
    {2, UINT64_C(0x0000000000000000), 0, INT64_C(1), 0x3f4afc43u},
    {2, UINT64_C(0x0000000000000000), 0, INT64_C(63), 0xbf9ba333u},
    {2, UINT64_C(0x0000000000000000), 0, INT64_C(64), 0x3f8bb1aau},
    {2, UINT64_C(0x0000000000000000), 0, INT64_C(127), 0x3cc4c8eau},
    {2, UINT64_C(0x0000000000000000), 0, INT64_C(128), 0xbf06653cu},
    {2, UINT64_C(0x0000000000000000), 0, INT64_C(1000003), 0xbefceb4bu},
    {2, UINT64_C(0x0000000000000000), 0, INT64_C(1099511627793), 0x3fb70c66u},
    {0, UINT64_C(0x0000000000000000), 7, INT64_C(0), 0xbf800000u},
    {0, UINT64_C(0x0000000000000000), 7, INT64_C(1), 0x3f800000u},
    {0, UINT64_C(0x0000000000000000), 7, INT64_C(63), 0xbf800000u},
    {0, UINT64_C(0x0000000000000000), 7, INT64_C(64), 0xbf800000u},
    {0, UINT64_C(0x0000000000000000), 7, INT64_C(127), 0x3f800000u},
    {0, UINT64_C(0x0000000000000000), 7, INT64_C(128), 0xbf800000u},
    {0, UINT64_C(0x0000000000000000), 7, INT64_C(1000003), 0xbf800000u},
    {0, UINT64_C(0x0000000000000000), 7, INT64_C(1099511627793), 0xbf800000u},
    {1, UINT64_C(0x0000000000000000), 7, INT64_C(0), 0xbf80272cu},
    {1, UINT64_C(0x0000000000000000), 7, INT64_C(1), 0xbfb6c54cu},
    {1, UINT64_C(0x0000000000000000), 7, INT64_C(63), 0xbeef3bc9u},
    {1, UINT64_C(0x0000000000000000), 7, INT64_C(64), 0x3f9cbd72u},
    {1, UINT64_C(0x0000000000000000), 7, INT64_C(127), 0xbf951578u},
    {1, UINT64_C(0x0000000000000000), 7, INT64_C(128), 0x3ecc0667u},
    {1, UINT64_C(0x0000000000000000), 7, INT64_C(1000003), 0x3f650469u},
    {1, UINT64_C(0x0000000000000000), 7, INT64_C(1099511627793), 0x3f6909c1u},
    {2, UINT64_C(0x0000000000000000), 7, INT64_C(0), 0x3f77ef5fu},
    {2, UINT64_C(0x0000000000000000), 7, INT64_C(1), 0xbf35ef7du},
    {2, UINT64_C(0x0000000000000000), 7, INT64_C(63), 0xbf3d62f3u},
    {2, UINT64_C(0x0000000000000000), 7, INT64_C(64), 0x3f462718u},
    {2, UINT64_C(0x0000000000000000), 7, INT64_C(127), 0xbecf7baeu},
    {2, UINT64_C(0x0000000000000000), 7, INT64_C(128), 0xbfb727a2u},
    {2, UINT64_C(0x0000000000000000), 7, INT64_C(1000003), 0x3f39ba4du},
    {2, UINT64_C(0x0000000000000000), 7, INT64_C(1099511627793), 0xbf4bb98fu},
    {0, UINT64_C(0x0000000000000000), -2, INT64_C(0), 0x3f800000u},
    {0, UINT64_C(0x0000000000000000), -2, INT64_C(1), 0xbf800000u},
    {0, UINT64_C(0x0000000000000000), -2, INT64_C(63), 0xbf800000u},
    {0, UINT64_C(0x0000000000000000), -2, INT64_C(64), 0x3f800000u},
    {0, UINT64_C(0x0000000000000000), -2, INT64_C(127), 0x3f800000u},
    {0, UINT64_C(0x0000000000000000), -2, INT64_C(128), 0x3f800000u},
    {0, UINT64_C(0x0000000000000000), -2, INT64_C(1000003), 0x3f800000u},
    {0, UINT64_C(0x0000000000000000), -2, INT64_C(1099511627793), 0x3f800000u},
    {1, UINT64_C(0x0000000000000000), -2, INT64_C(0), 0x3f42bb8bu},
    {1, UINT64_C(0x0000000000000000), -2, INT64_C(1), 0x3ffb9cf1u},
    {1, UINT64_C(0x0000000000000000), -2, INT64_C(63), 0x3f97b2f0u},
    {1, UINT64_C(0x0000000000000000), -2, INT64_C(64), 0xbebb2a7fu},
    {1, UINT64_C(0x0000000000000000), -2, INT64_C(127), 0x3feae962u},
    {1, UINT64_C(0x0000000000000000), -2, INT64_C(128), 0x3f98f228u},
    {1, UINT64_C(0x0000000000000000), -2, INT64_C(1000003), 0xbf376d6au},
    {1, UINT64_C(0x0000000000000000), -2, INT64_C(1099511627793), 0x3f0299dbu},
    {2, UINT64_C(0x0000000000000000), -2, INT64_C(0), 0xbfd248c2u},
    {2, UINT64_C(0x0000000000000000), -2, INT64_C(1), 0x3f6752c5u},
    {2, UINT64_C(0x0000000000000000), -2, INT64_C(63), 0xbf3d5715u},
    {2, UINT64_C(0x0000000000000000), -2, INT64_C(64), 0xbf9a286cu},
    {2, UINT64_C(0x0000000000000000), -2, INT64_C(127), 0x3fd24067u},
    {2, UINT64_C(0x0000000000000000), -2, INT64_C(128), 0x3fd00078u},
    {2, UINT64_C(0x0000000000000000), -2, INT64_C(1000003), 0xbf009c62u},
    {2, UINT64_C(0x0000000000000000), -2, INT64_C(1099511627793), 0x3f8e0d62u},
    {0, UINT64_C(0x0123456789abcdef), 0, INT64_C(0), 0x3f800000u},
    {0, UINT64_C(0x0123456789abcdef), 0, INT64_C(1), 0xbf800000u},
    {0, UINT64_C(0x0123456789abcdef), 0, INT64_C(63), 0xbf800000u},
    {0, UINT64_C(0x0123456789abcdef), 0, INT64_C(64), 0x3f800000u},
    {0, UINT64_C(0x0123456789abcdef), 0, INT64_C(127), 0x3f800000u},
    {0, UINT64_C(0x0123456789abcdef), 0, INT64_C(128), 0x3f800000u},
    {0, UINT64_C(0x0123456789abcdef), 0, INT64_C(1000003), 0xbf800000u},
    {0, UINT64_C(0x0123456789abcdef), 0, INT64_C(1099511627793), 0x3f800000u},
    {1, UINT64_C(0x0123456789abcdef), 0, INT64_C(0), 0x3f233851u},
    {1, UINT64_C(0x0123456789abcdef), 0, INT64_C(1), 0xbf9ad1f0u},
    {1, UINT64_C(0x0123456789abcdef), 0, INT64_C(63), 0xbf9a8174u},
    {1, UINT64_C(0x0123456789abcdef), 0, INT64_C(64), 0x3f1516c2u},
    {1, UINT64_C(0x0123456789abcdef), 0, INT64_C(127), 0x3fa59968u},
    {1, UINT64_C(0x0123456789abcdef), 0, INT64_C(128), 0x3e9c1b50u},
    {1, UINT64_C(0x0123456789abcdef), 0, INT64_C(1000003), 0x4019c635u},
    {1, UINT64_C(0x0123456789abcdef), 0, INT64_C(1099511627793), 0x3f606f36u},
    {2, UINT64_C(0x0123456789abcdef), 0, INT64_C(0), 0xbf463d1fu},
    {2, UINT64_C(0x0123456789abcdef), 0, INT64_C(1), 0xbf9a66feu},
    {2, UINT64_C(0x0123456789abcdef), 0, INT64_C(63), 0xbed07441u},
    {2, UINT64_C(0x0123456789abcdef), 0, INT64_C(64), 0xbfa7dd31u},
    {2, UINT64_C(0x0123456789abcdef), 0, INT64_C(127), 0xbe987aa6u},
    {2, UINT64_C(0x0123456789abcdef), 0, INT64_C(128), 0x3fa18413u},
    {2, UINT64_C(0x0123456789abcdef), 0, INT64_C(1000003), 0xbf633346u},
    {2, UINT64_C(0x0123456789abcdef), 0, INT64_C(1099511627793), 0x3f57ed9fu},
    {0, UINT64_C(0x0123456789abcdef), 7, INT64_C(0), 0xbf800000u},
    {0, UINT64_C(0x0123456789abcdef), 7, INT64_C(1), 0xbf800000u},
    {0, UINT64_C(0x0123456789abcdef), 7, INT64_C(63), 0xbf800000u},
    {0, UINT64_C(0x0123456789abcdef), 7, INT64_C(64), 0xbf800000u},
    {0, UINT64_C(0x0123456789abcdef), 7, INT64_C(127), 0xbf800000u},
    {0, UINT64_C(0x0123456789abcdef), 7, INT64_C(128), 0xbf800000u},
    {0, UINT64_C(0x0123456789abcdef), 7, INT64_C(1000003), 0xbf800000u},
    {0, UINT64_C(0x0123456789abcdef), 7, INT64_C(1099511627793), 0x3f800000u},
    {1, UINT64_C(0x0123456789abcdef), 7, INT64_C(0), 0xbe44d26cu},
    {1, UINT64_C(0x0123456789abcdef), 7, INT64_C(1), 0xbdc7929cu},
    {1, UINT64_C(0x0123456789abcdef), 7, INT64_C(63), 0x3e1caba2u},
    {1, UINT64_C(0x0123456789abcdef), 7, INT64_C(64), 0xbf6b8eb6u},
    {1, UINT64_C(0x0123456789abcdef), 7, INT64_C(127), 0x3e9dddfbu},
    {1, UINT64_C(0x0123456789abcdef), 7, INT64_C(128), 0x3fa469c4u},
    {1, UINT64_C(0x0123456789abcdef), 7, INT64_C(1000003), 0xc01659c0u},
    {1, UINT64_C(0x0123456789abcdef), 7, INT64_C(1099511627793), 0xbe902c83u},
    {2, UINT64_C(0x0123456789abcdef), 7, INT64_C(0), 0xbe9199d4u},
    {2, UINT64_C(0x0123456789abcdef), 7, INT64_C(1), 0x3f1f2a3fu},
    {2, UINT64_C(0x0123456789abcdef), 7, INT64_C(63), 0x3faf3872u},
    {2, UINT64_C(0x0123456789abcdef), 7, INT64_C(64), 0x3f2226f5u},
    {2, UINT64_C(0x0123456789abcdef), 7, INT64_C(127), 0xbf9a85fbu},
    {2, UINT64_C(0x0123456789abcdef), 7, INT64_C(128), 0xbf8479d1u},
    {2, UINT64_C(0x0123456789abcdef), 7, INT64_C(1000003), 0x3fc90a18u},
    {2, UINT64_C(0x0123456789abcdef), 7, INT64_C(1099511627793), 0x3f932f84u},
    {0, UINT64_C(0x0123456789abcdef), -2, INT64_C(0), 0xbf800000u},
    {0, UINT64_C(0x0123456789abcdef), -2, INT64_C(1), 0x3f800000u},
    {0, UINT64_C(0x0123456789abcdef), -2, INT64_C(63), 0x3f800000u},
    {0, UINT64_C(0x0123456789abcdef), -2, INT64_C(64), 0xbf800000u},
    {0, UINT64_C(0x0123456789abcdef), -2, INT64_C(127), 0xbf800000u},
    {0, UINT64_C(0x0123456789abcdef), -2, INT64_C(128), 0x3f800000u},
    {0, UINT64_C(0x0123456789abcdef), -2, INT64_C(1000003), 0xbf800000u},
    {0, UINT64_C(0x0123456789abcdef), -2, INT64_C(1099511627793), 0xbf800000u},
    {1, UINT64_C(0x0123456789abcdef), -2, INT64_C(0), 0x3e90672bu},
    {1, UINT64_C(0x0123456789abcdef), -2, INT64_C(1), 0xbfc46054u},
    {1, UINT64_C(0x0123456789abcdef), -2, INT64_C(63), 0xbe5c8f73u},
    {1, UINT64_C(0x0123456789abcdef), -2, INT64_C(64), 0xbdb1280fu},
    {1, UINT64_C(0x0123456789abcdef), -2, INT64_C(127), 0x3f2b7955u},
    {1, UINT64_C(0x0123456789abcdef), -2, INT64_C(128), 0x3fb84f1au},
    {1, UINT64_C(0x0123456789abcdef), -2, INT64_C(1000003), 0xbf957a34u},
    {1, UINT64_C(0x0123456789abcdef), -2, INT64_C(1099511627793), 0xbec13c8du},
    {2, UINT64_C(0x0123456789abcdef), -2, INT64_C(0), 0x3faddb69u},
    {2, UINT64_C(0x0123456789abcdef), -2, INT64_C(1), 0xbe920190u},
    {2, UINT64_C(0x0123456789abcdef), -2, INT64_C(63), 0x3fbcf68au},
    {2, UINT64_C(0x0123456789abcdef), -2, INT64_C(64), 0x3fa1b9b3u},
    {2, UINT64_C(0x0123456789abcdef), -2, INT64_C(127), 0xbfaffcebu},
    {2, UINT64_C(0x0123456789abcdef), -2, INT64_C(128), 0xbf2f3732u},
    {2, UINT64_C(0x0123456789abcdef), -2, INT64_C(1000003), 0x3d8a3709u},
    {2, UINT64_C(0x0123456789abcdef), -2, INT64_C(1099511627793), 0xbfd43cc7u},
    {0, UINT64_C(0xffffffffffffffff), 0, INT64_C(0), 0xbf800000u},
    {0, UINT64_C(0xffffffffffffffff), 0, INT64_C(1), 0x3f800000u},
    {0, UINT64_C(0xffffffffffffffff), 0, INT64_C(63), 0x3f800000u},
    {0, UINT64_C(0xffffffffffffffff), 0, INT64_C(64), 0xbf800000u},
    {0, UINT64_C(0xffffffffffffffff), 0, INT64_C(127), 0x3f800000u},
    {0, UINT64_C(0xffffffffffffffff), 0, INT64_C(128), 0xbf800000u},
    {0, UINT64_C(0xffffffffffffffff), 0, INT64_C(1000003), 0xbf800000u},
    {0, UINT64_C(0xffffffffffffffff), 0, INT64_C(1099511627793), 0x3f800000u},
    {1, UINT64_C(0xffffffffffffffff), 0, INT64_C(0), 0x3efac5bdu},
    {1, UINT64_C(0xffffffffffffffff), 0, INT64_C(1), 0x3fb79f4du},
    {1, UINT64_C(0xffffffffffffffff), 0, INT64_C(63), 0x3f98dd04u},
    {1, UINT64_C(0xffffffffffffffff), 0, INT64_C(64), 0xbf2f0dedu},
    {1, UINT64_C(0xffffffffffffffff), 0, INT64_C(127), 0xbf576779u},
    {1, UINT64_C(0xffffffffffffffff), 0, INT64_C(128), 0xbef0bf56u},
    {1, UINT64_C(0xffffffffffffffff), 0, INT64_C(1000003), 0xbcb4ceb6u},
    {1, UINT64_C(0xffffffffffffffff), 0, INT64_C(1099511627793), 0x3e83daa7u},
    {2, UINT64_C(0xffffffffffffffff), 0, INT64_C(0), 0x3fa83859u},
    {2, UINT64_C(0xffffffffffffffff), 0, INT64_C(1), 0xbfbbe402u},
    {2, UINT64_C(0xffffffffffffffff), 0, INT64_C(63), 0xbea46292u},
    {2, UINT64_C(0xffffffffffffffff), 0, INT64_C(64), 0x3f9c1504u},
    {2, UINT64_C(0xffffffffffffffff), 0, INT64_C(127), 0x3f83181eu},
    {2, UINT64_C(0xffffffffffffffff), 0, INT64_C(128), 0xbf01c560u},
    {2, UINT64_C(0xffffffffffffffff), 0, INT64_C(1000003), 0x3f94e405u},
    {2, UINT64_C(0xffffffffffffffff), 0, INT64_C(1099511627793), 0x3e8bc6dbu},
    {0, UINT64_C(0xffffffffffffffff), 7, INT64_C(0), 0x3f800000u},
    {0, UINT64_C(0xffffffffffffffff), 7, INT64_C(1), 0xbf800000u},
    {0, UINT64_C(0xffffffffffffffff), 7, INT64_C(63), 0xbf800000u},
    {0, UINT64_C(0xffffffffffffffff), 7, INT64_C(64), 0xbf800000u},
    {0, UINT64_C(0xffffffffffffffff), 7, INT64_C(127), 0xbf800000u},
    {0, UINT64_C(0xffffffffffffffff), 7, INT64_C(128), 0xbf800000u},
    {0, UINT64_C(0xffffffffffffffff), 7, INT64_C(1000003), 0x3f800000u},
    {0, UINT64_C(0xffffffffffffffff), 7, INT64_C(1099511627793), 0xbf800000u},
    {1, UINT64_C(0xffffffffffffffff), 7, INT64_C(0), 0xbfdae3e3u},
    {1, UINT64_C(0xffffffffffffffff), 7, INT64_C(1), 0xbf929939u},
    {1, UINT64_C(0xffffffffffffffff), 7, INT64_C(63), 0xbf9f74ccu},
    {1, UINT64_C(0xffffffffffffffff), 7, INT64_C(64), 0xbfa3d153u},
    {1, UINT64_C(0xffffffffffffffff), 7, INT64_C(127), 0xbeaa2f44u},
    {1, UINT64_C(0xffffffffffffffff), 7, INT64_C(128), 0x400d2f4cu},
    {1, UINT64_C(0xffffffffffffffff), 7, INT64_C(1000003), 0x3ecf6ffdu},
    {1, UINT64_C(0xffffffffffffffff), 7, INT64_C(1099511627793), 0x3d892dcbu},
    {2, UINT64_C(0xffffffffffffffff), 7, INT64_C(0), 0xbfb7ca98u},
    {2, UINT64_C(0xffffffffffffffff), 7, INT64_C(1), 0xbf095282u},
    {2, UINT64_C(0xffffffffffffffff), 7, INT64_C(63), 0x3e449803u},
    {2, UINT64_C(0xffffffffffffffff), 7, INT64_C(64), 0x3c60675cu},
    {2, UINT64_C(0xffffffffffffffff), 7, INT64_C(127), 0xbec15c0du},
    {2, UINT64_C(0xffffffffffffffff), 7, INT64_C(128), 0x3f397991u},
    {2, UINT64_C(0xffffffffffffffff), 7, INT64_C(1000003), 0xbf01aa07u},
    {2, UINT64_C(0xffffffffffffffff), 7, INT64_C(1099511627793), 0xbf7b8288u},
    {0, UINT64_C(0xffffffffffffffff), -2, INT64_C(0), 0x3f800000u},
    {0, UINT64_C(0xffffffffffffffff), -2, INT64_C(1), 0xbf800000u},
    {0, UINT64_C(0xffffffffffffffff), -2, INT64_C(63), 0x3f800000u},
    {0, UINT64_C(0xffffffffffffffff), -2, INT64_C(64), 0xbf800000u},
    {0, UINT64_C(0xffffffffffffffff), -2, INT64_C(127), 0xbf800000u},
    {0, UINT64_C(0xffffffffffffffff), -2, INT64_C(128), 0x3f800000u},
    {0, UINT64_C(0xffffffffffffffff), -2, INT64_C(1000003), 0x3f800000u},
    {0, UINT64_C(0xffffffffffffffff), -2, INT64_C(1099511627793), 0x3f800000u},
    {1, UINT64_C(0xffffffffffffffff), -2, INT64_C(0), 0xbf9c38d4u},
    {1, UINT64_C(0xffffffffffffffff), -2, INT64_C(1), 0xbe192f1cu},
    {1, UINT64_C(0xffffffffffffffff), -2, INT64_C(63), 0xbf6d1464u},
    {1, UINT64_C(0xffffffffffffffff), -2, INT64_C(64), 0xbfd54fa8u},
    {1, UINT64_C(0xffffffffffffffff), -2, INT64_C(127), 0x3f46a6ccu},
    {1, UINT64_C(0xffffffffffffffff), -2, INT64_C(128), 0x3e11b9c5u},
    {1, UINT64_C(0xffffffffffffffff), -2, INT64_C(1000003), 0x3eac18d0u},
    {1, UINT64_C(0xffffffffffffffff), -2, INT64_C(1099511627793), 0x3d960875u},
    {2, UINT64_C(0xffffffffffffffff), -2, INT64_C(0), 0xbf9020b4u},
    {2, UINT64_C(0xffffffffffffffff), -2, INT64_C(1), 0x3fbb61aau},
    {2, UINT64_C(0xffffffffffffffff), -2, INT64_C(63), 0x3f9d0c72u},
    {2, UINT64_C(0xffffffffffffffff), -2, INT64_C(64), 0x3f43624au},
    {2, UINT64_C(0xffffffffffffffff), -2, INT64_C(127), 0x3f5bc10bu},
    {2, UINT64_C(0xffffffffffffffff), -2, INT64_C(128), 0xbf67af68u},
    {2, UINT64_C(0xffffffffffffffff), -2, INT64_C(1000003), 0xbf15ccf0u},
    {2, UINT64_C(0xffffffffffffffff), -2, INT64_C(1099511627793), 0x3f876ea2u},
};

static uint32_t fbits(float f) {
    uint32_t b;
    memcpy(&b, &f, 4);
    return b;
}

static void kat(void) {
    int32_t tiers[4];
    int nt = tiers_supported(tiers);
    guard_t g;
    float *buf = guard_copy(&g, NULL, 4 * 200);
    for (int t = 0; t < nt; t++) {
        thimble_select_tier(tiers[t]);
        g_ctx = thimble_tier_name(tiers[t]);
        for (size_t k = 0; k < sizeof(KAT) / sizeof(KAT[0]); k++) {
            const kat_t *c = &KAT[k];
            /* a window of 200 around the index: exercises whole vectors, not just one lane */
            int64_t off = c->index > 70 ? c->index - 70 : 0;
            thimble_f32_fill_noise(200, buf, NULL, 0, 1.0f, c->seed, c->tid, off, c->stream);
            g_checks++;
            if (fbits(buf[c->index - off]) != c->bits) {
                FAIL("stream %d seed %llx tid %d index %lld: got %08x want %08x", c->stream,
                     (unsigned long long)c->seed, c->tid, (long long)c->index, fbits(buf[c->index - off]), c->bits);
            }
        }
    }
    guard_free(&g);
}

static const int64_t NS[] = {0, 1, 5, 63, 64, 65, 127, 128, 129, 200, 1000, 4099};
static const int64_t OFFS[] = {0, 1, 37, 64, 127, 130, (INT64_C(1) << 33) + 5};

/* runs fill, add and perturb on the active tier into guarded buffers; results into res[] */
typedef struct {
    float *fill, *add, *pert;
    int32_t *exc;
    int64_t count, done;
} result_t;

static void run_all(int64_t n, const float *x0, const uint64_t *mask, int64_t moff, float scale,
                    uint64_t seed, int32_t tid, int64_t off, int32_t stream, int64_t cap, result_t *r) {
    guard_t gx, ge;
    float *x = guard_copy(&gx, x0, 4 * (size_t)n);
    int32_t *exc = guard_copy(&ge, NULL, 8 * (size_t)cap);
    thimble_f32_fill_noise(n, x, mask, moff, scale, seed, tid, off, stream);
    memcpy(r->fill, x, 4 * (size_t)n);
    memcpy(x, x0, 4 * (size_t)n);
    thimble_f32_add_noise(n, x, mask, moff, scale, seed, tid, off, stream);
    memcpy(r->add, x, 4 * (size_t)n);
    memcpy(x, x0, 4 * (size_t)n);
    int64_t count = 0;
    r->done = thimble_f32_perturb_noise(n, x, mask, moff, scale, seed, tid, off, stream, exc, cap, &count);
    r->count = count;
    memcpy(r->pert, x, 4 * (size_t)n);
    memcpy(r->exc, exc, 8 * (size_t)count);
    guard_free(&gx);
    guard_free(&ge);
}

static result_t alloc_result(int64_t n, int64_t cap) {
    result_t r = {malloc(4 * (size_t)n + 4), malloc(4 * (size_t)n + 4), malloc(4 * (size_t)n + 4),
                  malloc(8 * (size_t)cap + 8), 0, 0};
    return r;
}
static void free_result(result_t *r) { free(r->fill), free(r->add), free(r->pert), free(r->exc); }

/* the order of one call's exceptions is unspecified (a SIMD tier visits a group by lanes): sort */
static int by_index(const void *a, const void *b) {
    const int32_t x = ((const int32_t *)a)[0], y = ((const int32_t *)b)[0];
    return (x > y) - (x < y);
}

static void compare(const result_t *want, const result_t *got, int64_t n, const char *what) {
    g_checks++;
    if (memcmp(want->fill, got->fill, 4 * (size_t)n) != 0) FAIL("%s: fill differs", what);
    if (memcmp(want->add, got->add, 4 * (size_t)n) != 0) FAIL("%s: add differs", what);
    if (memcmp(want->pert, got->pert, 4 * (size_t)n) != 0) FAIL("%s: perturb differs", what);
    if (want->count != got->count || want->done != got->done) {
        FAIL("%s: perturb count/done %lld/%lld vs scalar %lld/%lld", what, (long long)got->count,
             (long long)got->done, (long long)want->count, (long long)want->done);
    } else {
        qsort(want->exc, (size_t)want->count, 8, by_index);
        qsort(got->exc, (size_t)got->count, 8, by_index);
    }
    if (want->count == got->count && memcmp(want->exc, got->exc, 8 * (size_t)want->count) != 0) {
        FAIL("%s: exception lists differ", what);
    }
}

static void tiers_vs_scalar(void) {
    int32_t tiers[4];
    int nt = tiers_supported(tiers);
    for (int32_t stream = 0; stream < 3; stream++) {
        for (size_t a = 0; a < sizeof(NS) / sizeof(NS[0]); a++) {
            for (size_t b = 0; b < sizeof(OFFS) / sizeof(OFFS[0]); b++) {
                for (int mk = 0; mk < 3; mk++) {
                    for (int tight = 0; tight < 2; tight++) {
                        const int64_t n = NS[a], off = OFFS[b];
                        const int64_t moff = mk == 0 ? 0 : mk == 1 ? 5 : 63;
                        size_t words;
                        uint64_t *hm = rand_mask(moff + n, 0.6, &words);
                        guard_t gm;
                        const uint64_t *mask = mk == 0 ? NULL : guard_copy(&gm, hm, 8 * words);
                        float *x0 = rand_floats((size_t)n + 1);
                        /* adversarial weights: zeros of both signs, subnormals, huge values, NaN */
                        if (n > 4) x0[0] = 0.0f, x0[1] = -0.0f, x0[2] = 1e-40f, x0[3] = 3e38f, x0[4] = NAN;
                        /* tight: a huge scale makes every active entry an exception and a
                         * capacity of 131 makes perturb stop early */
                        const float scale = tight ? 1e30f : 0.01f;
                        const int64_t cap = tight ? 131 : n + 128;
                        const uint64_t seed = rnd();
                        const int32_t tid = (int32_t)(rnd() & 0xff);
                        result_t want = alloc_result(n, cap);
                        thimble_select_tier(THIMBLE_TIER_SCALAR);
                        run_all(n, x0, mask, moff, scale, seed, tid, off, stream, cap, &want);
                        for (int t = 0; t < nt; t++) {
                            if (tiers[t] == THIMBLE_TIER_SCALAR) continue;
                            thimble_select_tier(tiers[t]);
                            char what[160];
                            snprintf(what, sizeof what, "%s stream %d n %lld off %lld mask@%lld tight %d",
                                     thimble_tier_name(tiers[t]), stream, (long long)n, (long long)off,
                                     mk == 0 ? -1LL : (long long)moff, tight);
                            g_ctx = thimble_tier_name(tiers[t]);
                            result_t got = alloc_result(n, cap);
                            run_all(n, x0, mask, moff, scale, seed, tid, off, stream, cap, &got);
                            compare(&want, &got, n, what);
                            free_result(&got);
                        }
                        free_result(&want);
                        free(x0);
                        free(hm);
                        if (mk != 0) guard_free(&gm);
                    }
                }
            }
        }
    }
}

int main(void) {
    kat();
    tiers_vs_scalar();
    thimble_select_tier(THIMBLE_TIER_AVX512);
    return finish("noise");
}
