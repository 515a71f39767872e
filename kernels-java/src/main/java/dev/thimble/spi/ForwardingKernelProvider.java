package dev.thimble.spi;

import dev.thimble.tensor.BitMask;
import dev.thimble.tensor.BsrF32;
import dev.thimble.tensor.CsrF32;
import dev.thimble.tensor.DenseF32;
import java.lang.foreign.MemorySegment;

/**
 * A provider that accelerates only some kernels (a BLAS for the dense ones, native code for the
 * sparse ones) and forwards every other kernel to a fallback: the next provider below it by
 * priority, which the lookup attaches with {@link #attachFallback} right after discovery, so
 * forwarding providers chain down to a full one. Subclasses override what they do better.
 */
public abstract class ForwardingKernelProvider implements KernelProvider {
    private volatile KernelProvider fallback;

    /** Called once by the lookup with the next provider below this one by priority. */
    public final void attachFallback(KernelProvider provider) {
        if (provider == this || provider.priority() >= priority()) {
            throw new IllegalArgumentException("the fallback of " + name() + " must have a lower priority, not "
                    + provider.name());
        }
        this.fallback = provider;
    }

    /** The provider that runs the kernels this one does not override. */
    protected final KernelProvider fallback() {
        KernelProvider f = fallback;
        if (f == null) {
            throw new IllegalStateException("kernel provider " + name() + " has no fallback attached");
        }
        return f;
    }

    @Override
    public void spmmCsr(float alpha, CsrF32 a, DenseF32 b, float beta, DenseF32 c, int rowStart, int rowEnd) {
        fallback().spmmCsr(alpha, a, b, beta, c, rowStart, rowEnd);
    }

    @Override
    public void spmmBsr(float alpha, BsrF32 a, DenseF32 b, float beta, DenseF32 c, int blockRowStart, int blockRowEnd) {
        fallback().spmmBsr(alpha, a, b, beta, c, blockRowStart, blockRowEnd);
    }

    @Override
    public void denseTimesCsrT(float alpha, DenseF32 x, CsrF32 w, float beta, DenseF32 y, int rowStart, int rowEnd) {
        fallback().denseTimesCsrT(alpha, x, w, beta, y, rowStart, rowEnd);
    }

    @Override
    public void denseTimesCsr(float alpha, DenseF32 g, CsrF32 w, float beta, DenseF32 d, int rowStart, int rowEnd) {
        fallback().denseTimesCsr(alpha, g, w, beta, d, rowStart, rowEnd);
    }

    @Override
    public void sddmm(float alpha, DenseF32 x, DenseF32 y, float beta, CsrF32 out, int rowStart, int rowEnd) {
        fallback().sddmm(alpha, x, y, beta, out, rowStart, rowEnd);
    }

    @Override
    public void sddmmTransposed(float alpha, DenseF32 x, DenseF32 y, float beta, CsrF32 out, int rowStart, int rowEnd) {
        fallback().sddmmTransposed(alpha, x, y, beta, out, rowStart, rowEnd);
    }

    @Override
    public void maskedGemm(float alpha, DenseF32 a, DenseF32 b, BitMask mask, float beta, DenseF32 c, int rowStart, int rowEnd) {
        fallback().maskedGemm(alpha, a, b, mask, beta, c, rowStart, rowEnd);
    }

    @Override
    public void gemm(float alpha, DenseF32 a, DenseF32 b, float beta, DenseF32 c, int rowStart, int rowEnd) {
        fallback().gemm(alpha, a, b, beta, c, rowStart, rowEnd);
    }

    @Override
    public void axpy(float alpha, DenseF32 x, DenseF32 y) {
        fallback().axpy(alpha, x, y);
    }

    @Override
    public void maskedAxpy(float alpha, DenseF32 x, BitMask mask, DenseF32 y) {
        fallback().maskedAxpy(alpha, x, mask, y);
    }

    @Override
    public void scale(float alpha, DenseF32 x) {
        fallback().scale(alpha, x);
    }

    @Override
    public void applyMask(DenseF32 x, BitMask mask) {
        fallback().applyMask(x, mask);
    }

    @Override
    public void weightedSum(float[] weights, DenseF32[] xs, DenseF32 out) {
        fallback().weightedSum(weights, xs, out);
    }

    @Override
    public double dot(DenseF32 x, DenseF32 y) {
        return fallback().dot(x, y);
    }

    @Override
    public double norm2(DenseF32 x) {
        return fallback().norm2(x);
    }

    @Override
    public float normInf(DenseF32 x) {
        return fallback().normInf(x);
    }

    @Override
    public double maskedNorm2(DenseF32 x, BitMask mask) {
        return fallback().maskedNorm2(x, mask);
    }

    @Override
    public float maskedNormInf(DenseF32 x, BitMask mask) {
        return fallback().maskedNormInf(x, mask);
    }

    @Override
    public long magnitudeHistogram(DenseF32 x, BitMask within, int prefixShift, int prefix, int shift,
            long[] histogram) {
        return fallback().magnitudeHistogram(x, within, prefixShift, prefix, shift, histogram);
    }

    @Override
    public long selectByMagnitude(DenseF32 x, BitMask within, int thresholdKey, long tiesToTake, BitMask out) {
        return fallback().selectByMagnitude(x, within, thresholdKey, tiesToTake, out);
    }

    @Override
    public void gemmTransB(float alpha, DenseF32 a, DenseF32 b, float beta, DenseF32 c, int rowStart, int rowEnd) {
        fallback().gemmTransB(alpha, a, b, beta, c, rowStart, rowEnd);
    }

    @Override
    public void gemmTransA(float alpha, DenseF32 a, DenseF32 b, float beta, DenseF32 c, int rowStart, int rowEnd) {
        fallback().gemmTransA(alpha, a, b, beta, c, rowStart, rowEnd);
    }

    @Override
    public void addNoise(DenseF32 x, BitMask mask, float scale, long seed, int tensorId, long offset, int stream) {
        fallback().addNoise(x, mask, scale, seed, tensorId, offset, stream);
    }

    @Override
    public void fillNoise(DenseF32 out, BitMask mask, float scale, long seed, int tensorId, long offset, int stream) {
        fallback().fillNoise(out, mask, scale, seed, tensorId, offset, stream);
    }

    @Override
    public long perturbNoise(DenseF32 x, BitMask mask, float scale, long seed, int tensorId, long offset, int stream,
            MemorySegment exceptions, long capacity, long[] count) {
        return fallback().perturbNoise(x, mask, scale, seed, tensorId, offset, stream, exceptions, capacity, count);
    }
}
