package dev.thimble.random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import org.junit.jupiter.api.Test;

/** Random123's published known-answer vectors for Philox4x32-10 (kat_vectors). */
class Philox4x32Test {
    @Test
    void zeros() {
        assertArrayEquals(new int[] {0x6627e8d5, 0xe169c58d, 0xbc57ac4c, 0x9b00dbd8},
                Philox4x32.block(new int[] {0, 0, 0, 0}, new int[] {0, 0}));
    }

    @Test
    void ones() {
        assertArrayEquals(new int[] {0x408f276d, 0x41c83b0e, 0xa20bc7c6, 0x6d5451fd},
                Philox4x32.block(new int[] {-1, -1, -1, -1}, new int[] {-1, -1}));
    }

    @Test
    void pi() {
        assertArrayEquals(new int[] {0xd16cfe09, 0x94fdcceb, 0x5001e420, 0x24126ea1},
                Philox4x32.block(new int[] {0x243f6a88, 0x85a308d3, 0x13198a2e, 0x03707344},
                        new int[] {0xa4093822, 0x299f31d0}));
    }
}
