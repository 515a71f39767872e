package dev.thimble.bench;

import dev.thimble.fl.data.Dataset;
import dev.thimble.fl.nn.Models;
import dev.thimble.fl.nn.Network;
import dev.thimble.fl.nn.SoftmaxCrossEntropy;
import dev.thimble.fl.optim.Sgd;
import dev.thimble.ops.KernelContext;
import dev.thimble.tensor.BitMask;
import dev.thimble.tensor.DenseF32;
import dev.thimble.tensor.TensorArena;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * End-to-end LeNet-5 ({@link Models#lenet5}, 61,706 parameters) on batches of {@code batch}
 * 28×28 images, one thread; one operation is one batch, so samples/s = batch / time.
 *
 * <ul>
 *   <li>{@code train-bp} (K10): forward, softmax cross-entropy and its gradient, backward, SGD
 *       step (momentum 0.9) on a network built for training;</li>
 *   <li>{@code train-sparse90}: the same step with 90 % of every conv/linear weight tensor
 *       magnitude-pruned and the layers on the sparse kernels ({@code Network.setWeightMasks}:
 *       CSR forward and input gradient, weight gradient sampled at the mask), SGD masked so pruned
 *       weights stay zero — sparse back-propagation;</li>
 *   <li>{@code forward-dense}: a forward pass of an inference network (what zeroth-order
 *       training runs K times per step), dense weights;</li>
 *   <li>{@code forward-masked90}: the same network with 90 % of every conv/linear weight tensor
 *       magnitude-pruned to zero — what {@code PerturbedForward} runs today, dense kernels over
 *       zeros;</li>
 *   <li>{@code forward-sparse90} (K11): the same pruned weights stored as CSR and run by
 *       {@link SparseLeNet} (whole-batch im2col + CSR SpMM, dense × sparseᵀ for the linear layers).</li>
 * </ul>
 * The forward variants are checked against each other: the CSR network must reproduce the dense
 * network's logits (pruned or not) to float rounding. The training modes are checked by the loss
 * falling over 30 steps on one batch ({@code train-sparse90} also by its pruned weights staying 0).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
// A step is ~1–5 ms: 3 s of warm-up compile every layer's Java loops with C2; one fork, as the
// kernel benchmarks (2 shared cores).
@Fork(value = 1, jvmArgsAppend = {"--add-modules=jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED",
        "--sun-misc-unsafe-memory-access=allow"})
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
public class LeNetBench {
    @Param({"train-bp", "train-sparse90", "forward-dense", "forward-masked90", "forward-sparse90"})
    public String mode;

    /** Best provider by default (OpenBLAS for the dense products, native for the sparse ones). */
    @Param({"openblas"})
    public String provider;

    @Param({"64"})
    public int batch;

    private static final int BATCHES = 8;

    private TensorArena arena;
    private KernelContext ctx;
    private Network net;
    private Sgd sgd;
    private SparseLeNet sparse;
    private DenseF32[] xs;
    private int[][] labels;
    private int next;

    @Setup(Level.Trial)
    public void setUp() {
        arena = TensorArena.open("lenet-bench");
        ctx = KernelContext.builder().provider(provider).threads(1).build();
        Dataset data = LeNetInputs.data();
        xs = new DenseF32[BATCHES];
        labels = new int[BATCHES][batch];
        for (int i = 0; i < BATCHES; i++) {
            xs[i] = arena.dense(batch, 1, 28, 28);
            LeNetInputs.fill(data, i * batch, xs[i], labels[i]);
        }
        boolean training = mode.startsWith("train-");
        net = Network.build(Models.lenet5(10), arena, batch, training, ctx);
        net.parameters().initialize(42);
        if (training) {
            sgd = new Sgd(net.parameters(), arena, 0.05f, 0.9f, 0f);
            BitMask mask = null;
            if (mode.equals("train-sparse90")) {
                mask = LeNetInputs.prune(net.parameters(), 0.9, arena);
                net.setWeightMasks(mask);
                sgd.setMask(mask);
            }
            float[] start = net.parameters().values().toArray();
            double first = step(xs[0], labels[0]);
            double last = first;
            for (int i = 0; i < 30; i++) {
                last = step(xs[0], labels[0]);
            }
            // measured: dense 2.30 → 1.95, 90 %-pruned at initialisation (weak signal) 2.29 → 2.23:
            // clear falls, not convergence
            if (!(last < (mask == null ? 0.9 : 0.985) * first)) {
                throw new IllegalStateException(mode + " does not learn one batch: loss " + first + " → " + last);
            }
            float[] now = net.parameters().values().toArray();
            for (int i = 0; mask != null && i < now.length; i++) {
                if (!mask.get(i) && now[i] != 0f) {
                    throw new IllegalStateException(mode + ": pruned weight " + i + " became " + now[i]);
                }
            }
            System.out.printf("%n[check] LeNet %s: loss on one batch %.3f → %.3f in 30 steps%n", mode, first, last);
            net.parameters().values().copyFrom(start);
            sgd.reset();
            return;
        }
        if (!mode.equals("forward-dense")) {
            LeNetInputs.prune(net.parameters(), 0.9, arena);
        }
        try (SparseLeNet check = new SparseLeNet(net.parameters(), arena, batch, ctx)) {
            float[] want = net.forward(xs[1]).toArray();
            float[] got = check.forward(xs[1]).toArray();
            double scale = 0;
            for (float v : want) {
                scale = Math.max(scale, Math.abs(v));
            }
            for (int i = 0; i < want.length; i++) {
                if (!(Math.abs(want[i] - got[i]) <= 1e-4 * scale + 1e-6)) {
                    throw new IllegalStateException(mode + ": CSR LeNet logit " + i + " = " + got[i]
                            + ", dense network " + want[i]);
                }
            }
            System.out.printf("%n[check] LeNet %s: CSR and dense logits agree (%d stored weights)%n", mode,
                    check.nnz());
        }
        if (mode.equals("forward-sparse90")) {
            sparse = new SparseLeNet(net.parameters(), arena, batch, ctx);
        }
    }

    private double step(DenseF32 x, int[] y) {
        DenseF32 logits = net.forward(x);
        double loss = SoftmaxCrossEntropy.lossAndGradient(logits, y, net.outputGradient(x.dim(0)));
        net.parameters().zeroGrads();
        net.backward();
        sgd.step();
        return loss;
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        if (sgd != null) {
            sgd.close();
        }
        net.close();
        ctx.close();
        arena.close();
    }

    /** One batch; cycles through 8 prepared batches so the data is not always the same. */
    @Benchmark
    public Object run() {
        int i = next++ & (BATCHES - 1);
        if (sgd != null) {
            return step(xs[i], labels[i]);
        }
        return sparse != null ? sparse.forward(xs[i]) : net.forward(xs[i]);
    }
}
