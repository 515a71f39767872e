package dev.thimble.testkit;

import dev.thimble.tensor.BitMask;
import dev.thimble.tensor.BsrF32;
import dev.thimble.tensor.CsrF32;
import dev.thimble.tensor.DenseF32;

/**
 * The test oracle: every kernel written as the plainest loop over its definition, accumulating
 * in double, independent of the providers' code. Each result carries its error bound.
 */
public final class Reference {
    private Reference() {
    }

    /** {@code α·A·B + β·C} for a dense A given as a row-major array; {@code c} may be null when β = 0. */
    public static Expected gemm(float alpha, double[] a, int m, int k, float[] b, int n, float beta, float[] c) {
        double[] v = new double[m * n];
        double[] bound = new double[m * n];
        for (int i = 0; i < m; i++) {
            for (int j = 0; j < n; j++) {
                double acc = 0;
                double mag = 0;
                int terms = 0;
                for (int t = 0; t < k; t++) {
                    double p = a[i * k + t] * b[t * n + j];
                    if (a[i * k + t] != 0) {
                        terms++;
                    }
                    acc += p;
                    mag += Math.abs(p);
                }
                double old = beta == 0 ? 0 : (double) beta * c[i * n + j];
                v[i * n + j] = alpha * acc + old;
                bound[i * n + j] = Tolerances.forSum(terms, Math.abs(alpha) * mag + Math.abs(old));
            }
        }
        return new Expected(v, bound, n);
    }

    /** A CSR matrix as a dense row-major double array. */
    public static double[] dense(CsrF32 a) {
        double[] d = new double[a.rows() * a.cols()];
        for (int i = 0; i < a.rows(); i++) {
            for (int p = a.rowStart(i); p < a.rowStart(i + 1); p++) {
                d[i * a.cols() + a.colIndex(p)] = a.value(p);
            }
        }
        return d;
    }

    /** A BSR matrix as a dense row-major double array. */
    public static double[] dense(BsrF32 a) {
        double[] d = new double[a.rows() * a.cols()];
        for (int i = 0; i < a.rows(); i++) {
            for (int j = 0; j < a.cols(); j++) {
                d[i * a.cols() + j] = a.get(i, j);
            }
        }
        return d;
    }

    /** A dense tensor as a double array. */
    public static double[] dense(DenseF32 a) {
        float[] f = a.toArray();
        double[] d = new double[f.length];
        for (int i = 0; i < f.length; i++) {
            d[i] = f[i];
        }
        return d;
    }

    /** The transpose of a row-major m×n array. */
    public static double[] transpose(double[] a, int m, int n) {
        double[] t = new double[a.length];
        for (int i = 0; i < m; i++) {
            for (int j = 0; j < n; j++) {
                t[j * m + i] = a[i * n + j];
            }
        }
        return t;
    }

    /** The transpose of a row-major m×n float array. */
    public static float[] transpose(float[] a, int m, int n) {
        float[] t = new float[a.length];
        for (int i = 0; i < m; i++) {
            for (int j = 0; j < n; j++) {
                t[j * m + i] = a[i * n + j];
            }
        }
        return t;
    }

    /**
     * Sampled product: for each stored (i, j) of the pattern, {@code α·Σ_t x(i,t)·y(t,j) + β·old}
     * with x given m×d and y given d×n (callers transpose as their kernel defines).
     */
    public static Expected sampled(float alpha, float[] x, int m, int d, float[] y, int n, CsrF32 pattern,
            float beta, float[] old) {
        int nnz = pattern.nnz();
        double[] v = new double[nnz];
        double[] bound = new double[nnz];
        for (int i = 0; i < m; i++) {
            for (int p = pattern.rowStart(i); p < pattern.rowStart(i + 1); p++) {
                int j = pattern.colIndex(p);
                double acc = 0;
                double mag = 0;
                for (int t = 0; t < d; t++) {
                    double prod = (double) x[i * d + t] * y[t * n + j];
                    acc += prod;
                    mag += Math.abs(prod);
                }
                double o = beta == 0 ? 0 : (double) beta * old[p];
                v[p] = alpha * acc + o;
                bound[p] = Tolerances.forSum(d, Math.abs(alpha) * mag + Math.abs(o));
            }
        }
        return new Expected(v, bound, 0);
    }

    /** Masked GEMM: {@code α·(A·B) + β·C} where the mask is set, {@code β·C} elsewhere. */
    public static Expected maskedGemm(float alpha, float[] a, int m, int k, float[] b, int n, BitMask mask,
            float beta, float[] c) {
        double[] ad = new double[a.length];
        for (int i = 0; i < a.length; i++) {
            ad[i] = a[i];
        }
        Expected full = gemm(alpha, ad, m, k, b, n, beta, c);
        for (int i = 0; i < m * n; i++) {
            if (!mask.get(i)) {
                double o = beta == 0 ? 0 : (double) beta * c[i];
                full.values()[i] = o;
                full.bounds()[i] = Tolerances.forSum(0, Math.abs(o));
            }
        }
        return full;
    }
}
