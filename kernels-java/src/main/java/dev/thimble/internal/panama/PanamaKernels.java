package dev.thimble.internal.panama;

import com.sun.management.HotSpotDiagnosticMXBean;
import dev.thimble.internal.scalar.ScalarKernels;
import dev.thimble.spi.KernelProvider;
import dev.thimble.tensor.BitMask;
import dev.thimble.tensor.BsrF32;
import dev.thimble.tensor.CsrF32;
import dev.thimble.tensor.DenseF32;
import java.lang.foreign.MemorySegment;
import java.lang.management.ManagementFactory;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorSpecies;

/**
 * The Vector API provider: every kernel written with {@link FloatVector#SPECIES_PREFERRED} loads and
 * stores straight on the tensors' {@link MemorySegment}s (16 lanes with AVX-512, 8 with AVX2, 4 with
 * NEON/SSE). This is the only package of Thimble that imports {@code jdk.incubator.vector}.
 *
 * <p><b>Shape of the kernels.</b> The products keep a tile of the output in vector registers for
 * the whole reduction (register blocking over the output columns: one broadcast and one FMA per
 * vector per reduction step) and write it once as {@code alpha·acc + beta·C}; column tails narrower
 * than a vector use a lane mask ({@link VectorSpecies#indexInRange}), so every size works,
 * including 0 and sizes below the lane count. Bit masks are read as 64-bit words at any
 * {@code bitOffset} and turned into lane masks with {@link VectorMask#fromLong}. Nothing is
 * allocated in the kernels (species, byte order and constants are static finals; no per-row
 * arrays), so the vectors stay in registers once C2 has compiled a loop.
 *
 * <p><b>Numerics.</b> Sums are reordered compared with {@code ScalarKernels} (several
 * accumulators, FMA): results agree to a few ulps times {@code sqrt(terms)·Σ|terms|}, not
 * bit for bit. {@code beta == 0} never reads the output (BLAS), and masked-out entries become
 * {@code beta·old}. See {@code PanamaVectorOps} for the reduction scheme of dot and the norms; the kernels
 * live in one class per family ({@code PanamaSpmm}, {@code PanamaSddmm}, {@code PanamaDense},
 * {@code PanamaVectorOps}) and this class only dispatches to them.
 *
 * <p><b>Availability.</b> The constructor throws {@link UnsupportedOperationException} (and the
 * lookup falls back to the scalar provider) when the preferred vector is narrower than 128 bits or
 * when the C2 JIT is not running: without C2 the Vector API is not intrinsified and runs orders of
 * magnitude slower than plain loops. Like every provider, the kernels trust the SPI contract.
 */
public final class PanamaKernels implements KernelProvider {
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    private static final int L = S.length();

    /**
     * Public for {@link java.util.ServiceLoader}.
     *
     * @throws UnsupportedOperationException if vectors are narrower than 128 bits or C2 is not running
     */
    public PanamaKernels() {
        String why = unavailableReason();
        if (why != null) {
            throw new UnsupportedOperationException(why);
        }
    }

    private static String unavailableReason() {
        if (S.vectorBitSize() < 128) {
            return "the preferred FloatVector is " + S.vectorBitSize() + "-bit; at least 128 bits are needed";
        }
        String info = System.getProperty("java.vm.info", "");
        if (info.contains("interpreted mode")) {
            return "the JVM runs interpreted (-Xint), so the Vector API is not compiled";
        }
        if (System.getProperty("java.vm.name", "").contains("Client")) {
            return "the client VM has no C2 JIT to compile the Vector API";
        }
        try {
            HotSpotDiagnosticMXBean hs = ManagementFactory.getPlatformMXBean(HotSpotDiagnosticMXBean.class);
            if (hs != null) {
                if ("false".equals(hs.getVMOption("UseCompiler").getValue())) {
                    return "the JIT is off (-XX:-UseCompiler), so the Vector API is not compiled";
                }
                if ("true".equals(hs.getVMOption("TieredCompilation").getValue())
                        && Integer.parseInt(hs.getVMOption("TieredStopAtLevel").getValue()) < 4) {
                    return "C2 is disabled (-XX:TieredStopAtLevel="
                            + hs.getVMOption("TieredStopAtLevel").getValue()
                            + "), so the Vector API would not be intrinsified";
                }
            }
        } catch (RuntimeException | LinkageError e) {
            // no HotSpot diagnostics (another VM, or jdk.management absent): cannot tell, assume C2
        }
        return null;
    }

    @Override
    public String name() {
        return "panama";
    }

    @Override
    public String description() {
        return "Vector API, " + S.vectorBitSize() + "-bit FloatVector (" + L + " lanes)";
    }

    @Override
    public int priority() {
        return 10;
    }

    @Override
    public void spmmCsr(float alpha, CsrF32 a, DenseF32 b, float beta, DenseF32 c, int rowStart, int rowEnd) {
        PanamaSpmm.spmmCsr(alpha, a, b, beta, c, rowStart, rowEnd);
    }

    @Override
    public void spmmBsr(float alpha, BsrF32 a, DenseF32 b, float beta, DenseF32 c, int blockRowStart, int blockRowEnd) {
        PanamaSpmm.spmmBsr(alpha, a, b, beta, c, blockRowStart, blockRowEnd);
    }

    @Override
    public void denseTimesCsrT(float alpha, DenseF32 x, CsrF32 w, float beta, DenseF32 y, int rowStart, int rowEnd) {
        PanamaSpmm.denseTimesCsrT(alpha, x, w, beta, y, rowStart, rowEnd);
    }

    @Override
    public void denseTimesCsr(float alpha, DenseF32 g, CsrF32 w, float beta, DenseF32 d, int rowStart, int rowEnd) {
        PanamaSpmm.denseTimesCsr(alpha, g, w, beta, d, rowStart, rowEnd);
    }

    @Override
    public void sddmm(float alpha, DenseF32 x, DenseF32 y, float beta, CsrF32 out, int rowStart, int rowEnd) {
        PanamaSddmm.sddmm(alpha, x, y, beta, out, rowStart, rowEnd);
    }

    @Override
    public void sddmmTransposed(float alpha, DenseF32 x, DenseF32 y, float beta, CsrF32 out, int rowStart, int rowEnd) {
        PanamaSddmm.sddmmTransposed(alpha, x, y, beta, out, rowStart, rowEnd);
    }

    @Override
    public void maskedGemm(float alpha, DenseF32 a, DenseF32 b, BitMask mask, float beta, DenseF32 c, int rowStart, int rowEnd) {
        PanamaDense.maskedGemm(alpha, a, b, mask, beta, c, rowStart, rowEnd);
    }

    @Override
    public void gemm(float alpha, DenseF32 a, DenseF32 b, float beta, DenseF32 c, int rowStart, int rowEnd) {
        PanamaDense.gemm(alpha, a, b, beta, c, rowStart, rowEnd);
    }

    @Override
    public void gemmTransB(float alpha, DenseF32 a, DenseF32 b, float beta, DenseF32 c, int rowStart, int rowEnd) {
        PanamaDense.gemmTransB(alpha, a, b, beta, c, rowStart, rowEnd);
    }

    @Override
    public void gemmTransA(float alpha, DenseF32 a, DenseF32 b, float beta, DenseF32 c, int rowStart, int rowEnd) {
        PanamaDense.gemmTransA(alpha, a, b, beta, c, rowStart, rowEnd);
    }

    @Override
    public void axpy(float alpha, DenseF32 x, DenseF32 y) {
        PanamaVectorOps.axpy(alpha, x, y);
    }

    @Override
    public void maskedAxpy(float alpha, DenseF32 x, BitMask mask, DenseF32 y) {
        PanamaVectorOps.maskedAxpy(alpha, x, mask, y);
    }

    @Override
    public void scale(float alpha, DenseF32 x) {
        PanamaVectorOps.scale(alpha, x);
    }

    @Override
    public void applyMask(DenseF32 x, BitMask mask) {
        PanamaVectorOps.applyMask(x, mask);
    }

    @Override
    public void weightedSum(float[] weights, DenseF32[] xs, DenseF32 out) {
        PanamaVectorOps.weightedSum(weights, xs, out);
    }

    @Override
    public double dot(DenseF32 x, DenseF32 y) {
        return PanamaVectorOps.dot(x, y);
    }

    @Override
    public double norm2(DenseF32 x) {
        return PanamaVectorOps.norm2(x);
    }

    @Override
    public double maskedNorm2(DenseF32 x, BitMask mask) {
        return PanamaVectorOps.maskedNorm2(x, mask);
    }

    @Override
    public float normInf(DenseF32 x) {
        return PanamaVectorOps.normInf(x);
    }

    @Override
    public float maskedNormInf(DenseF32 x, BitMask mask) {
        return PanamaVectorOps.maskedNormInf(x, mask);
    }

    @Override
    public long magnitudeHistogram(DenseF32 x, BitMask within, int prefixShift, int prefix, int shift, long[] histogram) {
        return PanamaVectorOps.magnitudeHistogram(x, within, prefixShift, prefix, shift, histogram);
    }

    @Override
    public long selectByMagnitude(DenseF32 x, BitMask within, int thresholdKey, long tiesToTake, BitMask out) {
        return PanamaVectorOps.selectByMagnitude(x, within, thresholdKey, tiesToTake, out);
    }

    @Override
    public void addNoise(DenseF32 x, BitMask mask, float scale, long seed, int tensorId, long offset, int stream) {
        PanamaNoise.run(PanamaNoise.ADD, x, mask, scale, seed, tensorId, offset, stream, null, 0, null);
    }

    @Override
    public void fillNoise(DenseF32 out, BitMask mask, float scale, long seed, int tensorId, long offset, int stream) {
        PanamaNoise.run(PanamaNoise.FILL, out, mask, scale, seed, tensorId, offset, stream, null, 0, null);
    }

    @Override
    public long perturbNoise(DenseF32 x, BitMask mask, float scale, long seed, int tensorId, long offset, int stream,
            MemorySegment exceptions, long capacity, long[] count) {
        return PanamaNoise.run(PanamaNoise.PERTURB, x, mask, scale, seed, tensorId, offset, stream, exceptions,
                capacity, count);
    }
}
