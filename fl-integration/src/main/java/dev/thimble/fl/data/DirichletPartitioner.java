package dev.thimble.fl.data;

import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;

/**
 * Label-skewed non-IID split: for each class, the shares of the clients are drawn from a symmetric
 * Dirichlet(α); small α (0.1) gives most clients a few dominant classes, large α (100) is close to IID.
 *
 * <p>This follows the scheme of Hsu et al. (2019) as FedDIP's {@code create_dir_partition(alpha=0.5,
 * least_samples=100)} uses it: classes are handled in label order, each class's samples are shuffled
 * and cut at the cumulative shares (rounded down); a client that already holds at least
 * {@code size / clients} samples gets no share of the later classes, which keeps client sizes from
 * drifting too far apart. Every sample is used. The whole split is redrawn, from the same random
 * stream, until every client holds at least {@code minSamples}; after {@code maxAttempts} draws it
 * gives up with an {@link IllegalArgumentException}, since only a larger α, fewer clients or a
 * smaller minimum can help.
 */
public final class DirichletPartitioner implements Partitioner {
    /** Draws tried before giving up on {@code minSamples}. */
    public static final int DEFAULT_MAX_ATTEMPTS = 1000;

    private final double alpha;
    private final int minSamples;
    private final int maxAttempts;

    /**
     * A partitioner with concentration {@code alpha} (> 0) that guarantees each client {@code minSamples} (≥ 0).
     *
     * @throws IllegalArgumentException if {@code alpha} is not positive and finite or {@code minSamples} is negative
     */
    public DirichletPartitioner(double alpha, int minSamples) {
        this(alpha, minSamples, DEFAULT_MAX_ATTEMPTS);
    }

    /** Like {@link #DirichletPartitioner(double, int)} with a bound on the number of draws (≥ 1). */
    public DirichletPartitioner(double alpha, int minSamples, int maxAttempts) {
        if (!(alpha > 0) || Double.isInfinite(alpha)) {
            throw new IllegalArgumentException("Dirichlet alpha must be positive and finite, got " + alpha);
        }
        if (minSamples < 0) {
            throw new IllegalArgumentException("minSamples must be >= 0, got " + minSamples);
        }
        if (maxAttempts < 1) {
            throw new IllegalArgumentException("maxAttempts must be >= 1, got " + maxAttempts);
        }
        this.alpha = alpha;
        this.minSamples = minSamples;
        this.maxAttempts = maxAttempts;
    }

    /** The concentration α. */
    public double alpha() {
        return alpha;
    }

    /** The least number of samples each client gets. */
    public int minSamples() {
        return minSamples;
    }

    @Override
    public List<int[]> split(Dataset d, int clients, long seed) {
        Partitions.checkClients(d, clients);
        if ((long) minSamples * clients > d.size()) {
            throw new IllegalArgumentException("minSamples=" + minSamples + " is impossible: " + clients
                    + " clients × " + minSamples + " > " + d.size() + " samples of " + d.name());
        }
        SplittableRandom rng = new SplittableRandom(seed);
        int[][] byClass = Partitions.byClass(d);
        int smallest = 0;
        for (int attempt = 1; attempt <= maxAttempts; attempt++) {
            int[][] parts = draw(byClass, d.size(), clients, rng);
            smallest = Integer.MAX_VALUE;
            for (int[] p : parts) {
                smallest = Math.min(smallest, p.length);
            }
            if (smallest >= minSamples) {
                return Partitions.sorted(List.of(parts));
            }
        }
        throw new IllegalArgumentException(String.format(Locale.ROOT, "no Dirichlet(alpha=%s) split of %d samples"
                + " of %s among %d clients gave every client >= %d samples in %d attempts (the last gave its smallest"
                + " client %d); raise alpha, lower minSamples or use fewer clients", alpha, d.size(), d.name(), clients,
                minSamples, maxAttempts, smallest));
    }

    /** One draw: each class cut among the clients at Dirichlet shares. */
    private int[][] draw(int[][] byClass, int n, int clients, SplittableRandom rng) {
        int[] sizes = new int[clients];
        int[][] shuffled = new int[byClass.length][];
        int[][] cuts = new int[byClass.length][clients + 1]; // client c gets shuffled[k][cuts[k][c] .. cuts[k][c + 1])
        double fairShare = (double) n / clients;
        for (int k = 0; k < byClass.length; k++) {
            int[] idx = byClass[k].clone();
            Partitions.shuffle(idx, rng);
            shuffled[k] = idx;
            double[] p = Gamma.dirichlet(rng, alpha, clients);
            double sum = 0;
            for (int c = 0; c < clients; c++) {
                if (sizes[c] >= fairShare) {
                    p[c] = 0; // full clients take no more, so sizes stay near n / clients
                }
                sum += p[c];
            }
            double cumulative = 0;
            for (int c = 0; c < clients; c++) {
                cumulative += sum > 0 ? p[c] / sum : 1.0 / clients;
                // the last client takes the rest, so rounding never drops a sample
                cuts[k][c + 1] = c == clients - 1 ? idx.length
                        : Math.clamp((long) (cumulative * idx.length), cuts[k][c], idx.length);
                sizes[c] += cuts[k][c + 1] - cuts[k][c];
            }
        }
        int[][] parts = new int[clients][];
        for (int c = 0; c < clients; c++) {
            parts[c] = new int[sizes[c]];
            int fill = 0;
            for (int k = 0; k < byClass.length; k++) {
                int len = cuts[k][c + 1] - cuts[k][c];
                System.arraycopy(shuffled[k], cuts[k][c], parts[c], fill, len);
                fill += len;
            }
        }
        return parts;
    }

    @Override
    public String toString() {
        return "dirichlet(alpha=" + alpha + ", minSamples=" + minSamples + ")";
    }
}
