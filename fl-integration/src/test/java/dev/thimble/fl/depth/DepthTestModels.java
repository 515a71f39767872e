package dev.thimble.fl.depth;

import dev.thimble.fl.data.Dataset;
import dev.thimble.fl.data.Synthetic;
import dev.thimble.fl.nn.Model;
import dev.thimble.fl.nn.Models;

/** A tiny nine-block PreResNet and easy image data for the depth tests. */
final class DepthTestModels {
    static final int CLASSES = 4;
    static final int[] SHAPE = {1, 8, 8};

    private DepthTestModels() {
    }

    /** PreResNet-20 of base width 2 on 1×8×8 (8 → 4 → 2), four classes. */
    static Model model() {
        return Models.preResNet20(SHAPE, CLASSES, 2);
    }

    /** Easy 4-class 1×8×8 images (shared class prototypes between train and test slices). */
    static Dataset data(int size, long seed) {
        return Synthetic.generate("depth-test", size, CLASSES, 0.15, seed, SHAPE);
    }
}
