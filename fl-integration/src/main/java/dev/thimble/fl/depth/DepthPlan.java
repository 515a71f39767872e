package dev.thimble.fl.depth;

import java.util.List;

/**
 * How one client trains the model depth-wise: consecutive stages of blocks, each trained in turn
 * with the earlier blocks frozen and the later ones skipped. The stem is trained with the first
 * stage and the head with every stage.
 *
 * @param blocks the model's number of blocks
 * @param stages the stages in order; together they cover blocks [0, blocks) exactly once
 */
public record DepthPlan(int blocks, List<Stage> stages) {

    /**
     * Blocks [from, to), 0-based.
     *
     * @param from first block
     * @param to one past the last block
     */
    public record Stage(int from, int to) {
        /** Checks {@code 0 ≤ from < to}. */
        public Stage {
            if (from < 0 || to <= from) {
                throw new IllegalArgumentException("a stage is a non-empty block range, got [" + from + ", " + to + ")");
            }
        }

        @Override
        public String toString() {
            return to - from == 1 ? "{block" + (from + 1) + "}" : "{block" + (from + 1) + "..block" + to + "}";
        }
    }

    /** Checks that the stages tile [0, blocks). */
    public DepthPlan {
        stages = List.copyOf(stages);
        int next = 0;
        for (Stage s : stages) {
            if (s.from() != next) {
                throw new IllegalArgumentException("stages must tile the blocks in order, got " + stages);
            }
            next = s.to();
        }
        if (next != blocks || stages.isEmpty()) {
            throw new IllegalArgumentException("stages " + stages + " do not cover the " + blocks + " blocks");
        }
    }

    /** The plan that trains the whole model at once. */
    public static DepthPlan whole(int blocks) {
        return new DepthPlan(blocks, List.of(new Stage(0, blocks)));
    }

    /** Plans from stage end points, e.g. {@code of(9, 1, 2, 3, 4, 6, 9)}. */
    public static DepthPlan of(int blocks, int... ends) {
        List<Stage> s = new java.util.ArrayList<>();
        int from = 0;
        for (int e : ends) {
            s.add(new Stage(from, e));
            from = e;
        }
        return new DepthPlan(blocks, s);
    }

    /** Whether this is one stage of every block. */
    public boolean isWhole() {
        return stages.size() == 1;
    }

    @Override
    public String toString() {
        return stages.toString();
    }
}
