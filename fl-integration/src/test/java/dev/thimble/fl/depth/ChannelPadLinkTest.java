package dev.thimble.fl.depth;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.thimble.fl.nn.ChannelPadLink;
import dev.thimble.tensor.DenseF32;
import dev.thimble.tensor.TensorArena;
import org.junit.jupiter.api.Test;

/** FeDepth's link ops on hand-computed tensors. */
class ChannelPadLinkTest {

    @Test
    void forwardSubsamplesAndPadsChannelsEvenly() {
        // 1 sample, 1 channel 4×4 holding 0..15 → 3 channels 2×2 (stride 2, one zero channel each side)
        ChannelPadLink link = ChannelPadLink.between("link", new int[] {1, 4, 4}, new int[] {3, 2, 2});
        assertArrayEquals(new int[] {3, 2, 2}, link.outputShape(new int[] {1, 4, 4}));
        try (TensorArena a = TensorArena.open("link");
                DenseF32 x = a.dense(1, 1, 4, 4);
                DenseF32 y = a.dense(1, 3, 2, 2)) {
            for (int i = 0; i < 16; i++) {
                x.set(i, i);
            }
            y.fill(Float.NaN); // every output must be written
            link.forward(x, y);
            assertArrayEquals(new float[] {0, 0, 0, 0, 0, 2, 8, 10, 0, 0, 0, 0}, y.toArray());
        }
    }

    @Test
    void backwardRoutesTheKeptPositionsAndDropsThePadding() {
        ChannelPadLink link = ChannelPadLink.between("link", new int[] {1, 4, 4}, new int[] {3, 2, 2});
        try (TensorArena a = TensorArena.open("link");
                DenseF32 x = a.dense(1, 1, 4, 4);
                DenseF32 y = a.dense(1, 3, 2, 2);
                DenseF32 dy = a.dense(1, 3, 2, 2);
                DenseF32 dx = a.dense(1, 1, 4, 4)) {
            for (int i = 0; i < 12; i++) {
                dy.set(i, 100 + i);
            }
            dx.fill(Float.NaN);
            link.backward(x, y, dy, dx);
            float[] expected = new float[16];
            expected[0] = 104; // dy channel 1 = the input channel
            expected[2] = 105;
            expected[8] = 106;
            expected[10] = 107;
            assertArrayEquals(expected, dx.toArray());
        }
    }

    @Test
    void feDepthsLinksHaveTheirPaperShapes() {
        // link1: 16ch@32² → 64ch@8², link2: 32ch@16² → 64ch@8²; 24 and 16 zero channels before
        ChannelPadLink link1 = ChannelPadLink.between("link1", new int[] {16, 32, 32}, new int[] {64, 8, 8});
        ChannelPadLink link2 = ChannelPadLink.between("link2", new int[] {32, 16, 16}, new int[] {64, 8, 8});
        assertArrayEquals(new int[] {64, 8, 8}, link1.outputShape(new int[] {16, 32, 32}));
        assertArrayEquals(new int[] {64, 8, 8}, link2.outputShape(new int[] {32, 16, 16}));
        try (TensorArena a = TensorArena.open("link");
                DenseF32 x = a.dense(1, 16, 32, 32);
                DenseF32 y = a.dense(1, 64, 8, 8)) {
            x.fill(1f);
            link1.forward(x, y);
            float[] v = y.toArray();
            for (int c = 0; c < 64; c++) {
                float want = c >= 24 && c < 40 ? 1f : 0f;
                for (int i = 0; i < 64; i++) {
                    if (v[c * 64 + i] != want) {
                        throw new AssertionError("channel " + c + " position " + i + ": " + v[c * 64 + i]);
                    }
                }
            }
        }
    }

    @Test
    void impossibleLinksAreRefused() {
        assertThrows(IllegalArgumentException.class,
                () -> ChannelPadLink.between("l", new int[] {16, 28, 28}, new int[] {8, 7, 7}));
        assertThrows(IllegalArgumentException.class,
                () -> ChannelPadLink.between("l", new int[] {16, 28, 28}, new int[] {64, 8, 8}));
    }
}
