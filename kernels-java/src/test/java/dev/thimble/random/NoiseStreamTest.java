package dev.thimble.random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Statistical sanity of the reference streams and accuracy of {@link NoiseMath}. Tolerances come
 * from the sample size: a mean of N unit-variance values has standard error 1/√N, so the tests
 * allow 6 standard errors (a false alarm about once in 10⁹ runs); the sample variance of N values
 * with fourth moment μ₄ has standard error √((μ₄ − 1)/N).
 */
class NoiseStreamTest {
    static final int N = 1 << 20;

    @ParameterizedTest
    @EnumSource(value = Noise.class, names = {"RADEMACHER", "GAUSSIAN", "UNIFORM"})
    void meanAndVariance(Noise noise) {
        double sum = 0, sq = 0;
        float[] g = new float[64];
        int[] w = new int[64];
        for (long e = 0; e < N;) {
            if (noise == Noise.RADEMACHER) {
                sum += NoiseStream.value(noise, 42, 7, e);
                sq += 1;
                e++;
                continue;
            }
            NoiseStream.group(noise.streamCode(), 42, 7, e >>> 6, g, w);
            for (float v : g) {
                sum += v;
                sq += (double) v * v;
            }
            e += 64;
        }
        double mean = sum / N, var = sq / N - mean * mean;
        double mu4 = switch (noise) {
            case RADEMACHER -> 1;
            case GAUSSIAN, SPHERE -> 3;
            case UNIFORM -> 1.8; // 9/5 for a unit-variance uniform
        };
        assertTrue(Math.abs(mean) < 6 / Math.sqrt(N), noise + " mean " + mean);
        double tolVar = Math.max(6 * Math.sqrt((mu4 - 1) / N), 1e-12);
        if (noise == Noise.RADEMACHER) {
            assertEquals(1.0, sq / N, 0.0);
        } else {
            assertTrue(Math.abs(var - 1) < tolVar, noise + " variance " + var + " tol " + tolVar);
        }
    }

    @Test
    void rademacherBalanceAndBitLayout() {
        int[] w = new int[4];
        long minus = 0;
        for (long b = 0; b < 4096; b++) {
            NoiseStream.block(99, 3, NoiseStream.RADEMACHER, b, w, 0);
            for (int t = 0; t < 128; t++) {
                long e = b * 128 + t;
                float v = NoiseStream.value(Noise.RADEMACHER, 99, 3, e);
                boolean set = ((w[t >>> 5] >>> (t & 31)) & 1) != 0;
                assertEquals(set ? -1f : 1f, v);
                minus += set ? 1 : 0;
            }
        }
        long n = 4096 * 128;
        // binomial(n, 1/2): standard deviation √n / 2
        assertTrue(Math.abs(minus - n / 2.0) < 6 * Math.sqrt(n) / 2, "minus count " + minus);
    }

    @Test
    void gaussianTails() {
        // P(|z| > 2) = 0.0455 and P(|z| > 3) = 0.0027 for a standard normal
        float[] g = new float[64];
        int[] w = new int[64];
        long over2 = 0, over3 = 0;
        for (long grp = 0; grp < N / 64; grp++) {
            NoiseStream.group(NoiseStream.GAUSSIAN, 5, 0, grp, g, w);
            for (float v : g) {
                over2 += Math.abs(v) > 2 ? 1 : 0;
                over3 += Math.abs(v) > 3 ? 1 : 0;
            }
        }
        double p2 = 0.04550026, p3 = 0.00269980;
        assertTrue(Math.abs(over2 - p2 * N) < 6 * Math.sqrt(p2 * N), "beyond 2σ: " + over2);
        assertTrue(Math.abs(over3 - p3 * N) < 6 * Math.sqrt(p3 * N), "beyond 3σ: " + over3);
    }

    @Test
    void mathAgainstDouble() {
        double worstLog = 0, worstTrig = 0;
        for (int k = 1; k <= 1 << 24; k += 97) {
            float u = k * NoiseMath.TWO_M24;
            double ref = Math.log(u);
            double err = Math.abs(NoiseMath.log(u) - ref) / Math.ulp((float) Math.max(Math.abs(ref), 1e-30));
            if (ref != 0) {
                worstLog = Math.max(worstLog, err);
            }
            int b = (k - 1) << 8;
            double ang = 2 * Math.PI * (k - 1) / 16777216.0;
            worstTrig = Math.max(worstTrig, Math.abs(NoiseMath.cosTurn(b) - Math.cos(ang)));
            worstTrig = Math.max(worstTrig, Math.abs(NoiseMath.sinTurn(b) - Math.sin(ang)));
        }
        assertTrue(worstLog <= 2, "log error " + worstLog + " ulp");
        assertTrue(worstTrig <= 2e-7, "sin/cos error " + worstTrig);
    }
}
