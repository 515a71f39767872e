package dev.thimble.random;

/**
 * The distributions of seeded perturbations. Each is a pure function of (seed, tensor id, element
 * index) laid out as {@link NoiseStream} documents, so every provider, thread count and chunking
 * regenerates the same values bit for bit.
 */
public enum Noise {
    /** ±1 with probability 1/2 each: one bit of a Philox word per element (variance 1). */
    RADEMACHER(NoiseStream.RADEMACHER),
    /** Standard normal by Box–Muller on pairs of Philox words, with Thimble's own float math (variance 1). */
    GAUSSIAN(NoiseStream.GAUSSIAN),
    /** Uniform on (−√3, √3) from 24 bits per word, symmetric about 0 (variance 1). */
    UNIFORM(NoiseStream.UNIFORM),
    /**
     * A uniform direction on the unit sphere over the active positions (FedZO): the {@link #GAUSSIAN}
     * values of the same stream divided by their Euclidean norm. Costs two passes: one to compute
     * the norm (in a fixed, provider-independent order), one to apply.
     */
    SPHERE(NoiseStream.GAUSSIAN);

    private final int code;

    Noise(int code) {
        this.code = code;
    }

    /**
     * The kernel code of the stream this distribution draws from ({@link NoiseStream#RADEMACHER},
     * {@link NoiseStream#GAUSSIAN} or {@link NoiseStream#UNIFORM}; a sphere draws the Gaussian stream).
     */
    public int streamCode() {
        return code;
    }
}
