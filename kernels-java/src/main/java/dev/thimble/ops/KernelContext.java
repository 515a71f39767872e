package dev.thimble.ops;

import dev.thimble.internal.provider.KernelProviders;
import dev.thimble.spi.KernelProvider;
import dev.thimble.tensor.CsrF32;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Which kernels run and on how many threads: a provider plus a worker pool this context owns.
 *
 * <p>Problems smaller than {@link Builder#parallelThreshold(long) the threshold} (in multiply-adds)
 * stay on the calling thread; larger ones are split by output rows, balanced by non-zeros for
 * sparse operands, with the calling thread taking the first share. {@link #global()} uses the
 * provider chosen by {@code -Dthimble.kernels} and one thread per core; contexts made with
 * {@link #builder()} must be closed to stop their threads.
 */
public final class KernelContext implements AutoCloseable {
    /** Below this many multiply-adds a kernel stays single-threaded (thread hand-off costs ~10 µs). */
    public static final long DEFAULT_PARALLEL_THRESHOLD = 1L << 20;

    private static final AtomicInteger POOL_IDS = new AtomicInteger();

    private final KernelProvider provider;
    private final int threads;
    private final long parallelThreshold;
    private final boolean global;
    private final WorkerTeam team;

    private KernelContext(KernelProvider provider, int threads, long parallelThreshold, boolean global) {
        this.provider = provider;
        this.threads = threads;
        this.parallelThreshold = parallelThreshold;
        this.global = global;
        this.team = threads > 1 ? new WorkerTeam(threads - 1, "thimble-kernels-" + POOL_IDS.incrementAndGet()) : null;
    }

    private static final class Global {
        static final KernelContext INSTANCE = new KernelContext(KernelProviders.defaultProvider(),
                Runtime.getRuntime().availableProcessors(), DEFAULT_PARALLEL_THRESHOLD, true);
    }

    /** The shared context: default provider, one thread per core. Closing it does nothing. */
    public static KernelContext global() {
        return Global.INSTANCE;
    }

    /** Starts configuring a context of one's own. */
    public static Builder builder() {
        return new Builder();
    }

    /** Names of the providers that can run here, best first. */
    public static List<String> availableProviders() {
        return KernelProviders.discovery().available().stream().map(KernelProvider::name).toList();
    }

    /** Providers found on the class path that cannot run here, with the reason. */
    public static Map<String, String> unavailableProviders() {
        return KernelProviders.discovery().unavailable();
    }

    /** Configures a {@link KernelContext}. */
    public static final class Builder {
        private String provider;
        private int threads = Runtime.getRuntime().availableProcessors();
        private long parallelThreshold = DEFAULT_PARALLEL_THRESHOLD;

        private Builder() {
        }

        /** Uses the provider of this name ({@code auto} or null: the default). */
        public Builder provider(String name) {
            this.provider = name;
            return this;
        }

        /** Number of threads, including the caller's (1 = never parallel). */
        public Builder threads(int threads) {
            if (threads < 1) {
                throw new IllegalArgumentException("threads must be at least 1, got " + threads);
            }
            this.threads = threads;
            return this;
        }

        /** Multiply-adds below which a kernel stays on the calling thread (0 = always split). */
        public Builder parallelThreshold(long multiplyAdds) {
            if (multiplyAdds < 0) {
                throw new IllegalArgumentException("parallel threshold must be >= 0, got " + multiplyAdds);
            }
            this.parallelThreshold = multiplyAdds;
            return this;
        }

        /** Creates the context (and its threads). */
        public KernelContext build() {
            KernelProvider p = provider == null || provider.equalsIgnoreCase("auto")
                    ? KernelProviders.defaultProvider()
                    : KernelProviders.discovery().byName(provider);
            return new KernelContext(p, threads, parallelThreshold, false);
        }
    }

    /** The running provider's name. */
    public String providerName() {
        return provider.name();
    }

    /** One line on the running provider. */
    public String providerDescription() {
        return provider.description();
    }

    /** Threads a large kernel uses, the caller's included. */
    public int threads() {
        return threads;
    }

    KernelProvider kernels() {
        return provider;
    }

    /** Computes a range of rows {@code [start, end)}. */
    @FunctionalInterface
    interface RowTask {
        void run(int start, int end);
    }

    /** Runs {@code task} over {@code rows} rows, split evenly when the work is large enough. */
    void forRows(int rows, long multiplyAdds, RowTask task) {
        int parts = parts(rows, multiplyAdds);
        if (parts == 1) {
            task.run(0, rows);
            return;
        }
        int[] bounds = new int[parts + 1];
        for (int i = 0; i <= parts; i++) {
            bounds[i] = (int) ((long) rows * i / parts);
        }
        run(bounds, task);
    }

    /** Runs {@code task} over the rows of {@code a}, split so that each share has about the same non-zeros. */
    void forRowsByNnz(CsrF32 a, long multiplyAdds, RowTask task) {
        int rows = a.rows();
        int parts = parts(rows, multiplyAdds);
        if (parts == 1) {
            task.run(0, rows);
            return;
        }
        int[] bounds = new int[parts + 1];
        bounds[parts] = rows;
        long nnz = a.nnz();
        for (int i = 1; i < parts; i++) {
            // first row whose start passes i/parts of the non-zeros (rows are also counted so that
            // empty rows still spread out)
            long target = (nnz + rows) * i / parts;
            int lo = bounds[i - 1];
            int hi = rows;
            while (lo < hi) {
                int mid = (lo + hi) >>> 1;
                if ((long) a.rowStart(mid) + mid < target) {
                    lo = mid + 1;
                } else {
                    hi = mid;
                }
            }
            bounds[i] = lo;
        }
        run(bounds, task);
    }

    private int parts(int rows, long multiplyAdds) {
        if (team == null || rows < 2 || multiplyAdds < parallelThreshold) {
            return 1;
        }
        return Math.min(threads, rows);
    }

    /** Share i covers rows [bounds[i], bounds[i + 1]); all on this thread when the team is busy. */
    private void run(int[] bounds, RowTask task) {
        Runnable[] shares = new Runnable[bounds.length - 1];
        for (int i = 0; i < shares.length; i++) {
            int s = bounds[i];
            int e = bounds[i + 1];
            if (s < e) {
                shares[i] = () -> task.run(s, e);
            }
        }
        if (!team.tryRun(shares)) {
            task.run(bounds[0], bounds[bounds.length - 1]);
        }
    }

    /** Stops this context's threads; the global context ignores it. */
    @Override
    public void close() {
        if (!global && team != null) {
            team.close();
        }
    }

    @Override
    public String toString() {
        return "KernelContext[" + provider.name() + ", threads=" + threads + "]";
    }
}
