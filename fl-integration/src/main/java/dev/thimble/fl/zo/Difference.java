package dev.thimble.fl.zo;

/** The finite difference a zeroth-order estimator takes along each direction {@code z}. */
public enum Difference {
    /**
     * {@code L(w + s·z) − L(w)}: one extra evaluation per direction plus one shared {@code L(w)}
     * (K + 1 forwards); bias of order {@code s} (the curvature term).
     */
    FORWARD,
    /**
     * {@code L(w + s·z) − L(w − s·z)}: two evaluations per direction (2K forwards); the even
     * (curvature) terms cancel, so it is exact on quadratics up to rounding.
     */
    CENTRAL
}
