package dev.thimble.fl.strategy;

import dev.thimble.fl.core.TrainConfig;

/**
 * FedProx: Li, Sahu, Zaheer, Sanjabi, Talwalkar and Smith, "Federated Optimization in Heterogeneous
 * Networks", MLSys 2020, arXiv:1812.06127.
 *
 * <p>FedAvg whose clients minimise {@code F_k(w) + (μ/2)·‖w − w_t‖²}, where w_t is the global model
 * the round started from; the proximal term keeps local models near it on heterogeneous data.
 * The server side differs from FedAvg only in the configuration: it sends μ as
 * {@value #MU_KEY}. Client obligation: {@link SgdClientTrainer} keeps a copy of the received
 * w_t and adds the term's gradient {@code μ·(w − w_t)} to every local step's gradient. (Not the
 * non-squared, self-anchored term of some reference code, which is identically zero; methods.md
 * §3.6 item 8.) With μ = 0 it is FedAvg.
 */
public final class FedProx extends FedAvg {
    /** The configuration key of μ. */
    public static final String MU_KEY = "proximal_mu";

    private final double mu;

    /**
     * FedProx with these local hyperparameters and proximal weight μ.
     *
     * @throws IllegalArgumentException if μ is negative or not finite
     */
    public FedProx(TrainConfig config, double mu) {
        super(config);
        if (!(mu >= 0) || !Double.isFinite(mu)) {
            throw new IllegalArgumentException("FedProx μ must be finite and >= 0, got " + mu);
        }
        this.mu = mu;
    }

    @Override
    public String name() {
        return "fedprox";
    }

    /** μ. */
    public double mu() {
        return mu;
    }

    @Override
    protected TrainConfig fitConfig(int round) {
        return config().with(MU_KEY, mu);
    }
}
