package dev.thimble.fl.strategy;

import dev.thimble.fl.data.Dataset;
import dev.thimble.fl.nn.Network;
import dev.thimble.fl.nn.SoftmaxCrossEntropy;
import dev.thimble.fl.zo.Objective;
import dev.thimble.tensor.DenseF32;
import java.util.Objects;

/**
 * The mean cross-entropy of a minibatch of B samples, evaluated by an inference network in chunks
 * of at most c samples: {@code L = (1/B) Σ_chunks count·CE(chunk)}. A zeroth-order client needs
 * only this scalar, never the activations, so it can stream its batch through the network and
 * keep activation buffers of c samples instead of B (back-propagation must keep every layer's
 * output for the whole batch). Each evaluation refills the chunk from the dataset's heap storage
 * with {@link Dataset#fillBatch}, which allocates nothing.
 *
 * <p>Reads the parameters from the network's own flat values; it rejects any other vector, so a
 * {@link dev.thimble.fl.zo.ZoEstimator} must perturb those in place.
 */
final class ChunkedLoss implements Objective {
    private final Network net;
    private final Dataset data;
    private final int[] order;
    private final int batch;
    private final DenseF32 x;
    private final int[] labels;
    private double first = Double.NaN;

    /**
     * @param net an inference network with {@code maxBatch ≥ x.dim(0)}
     * @param order the batch is samples {@code order[0..batch)} of {@code data}
     * @param x (Output) the chunk buffer, [c, input...]
     */
    ChunkedLoss(Network net, Dataset data, int[] order, int batch, DenseF32 x) {
        this.net = Objects.requireNonNull(net, "net");
        this.data = Objects.requireNonNull(data, "data");
        this.order = order;
        this.batch = batch;
        this.x = x;
        this.labels = new int[x.dim(0)];
        if (batch < 1 || batch > order.length) {
            throw new IllegalArgumentException("batch " + batch + " of " + order.length + " indices");
        }
    }

    @Override
    public double loss(DenseF32 params) {
        DenseF32 w = net.parameters().values();
        if (params.segment().address() != w.segment().address() || params.size() != w.size()) {
            throw new IllegalArgumentException("this loss reads the network's own parameters " + w + ", got " + params);
        }
        int c = x.dim(0);
        double sum = 0;
        for (int from = 0; from < batch; from += c) {
            int count = Math.min(c, batch - from);
            data.fillBatch(order, from, count, x, labels);
            sum += SoftmaxCrossEntropy.loss(net.forward(count == c ? x : x.slice(0, count)), labels) * count;
        }
        double loss = sum / batch;
        if (Double.isNaN(first)) {
            first = loss;
        }
        return loss;
    }

    /**
     * The value of the first evaluation (NaN before it): the unperturbed loss when a
     * forward-difference estimator called, since it evaluates L(w) first.
     */
    double firstLoss() {
        return first;
    }
}
