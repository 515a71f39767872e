package dev.thimble.fl.strategy;

import dev.thimble.fl.core.Aggregation;
import dev.thimble.fl.core.ClientFailure;
import dev.thimble.fl.core.ClientResult;
import dev.thimble.fl.core.DensePayload;
import dev.thimble.fl.core.FitInstructions;
import dev.thimble.fl.core.Payload;
import dev.thimble.fl.core.ServerState;
import dev.thimble.fl.core.Strategy;
import dev.thimble.fl.core.TrainConfig;
import dev.thimble.tensor.DenseF32;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Federated Averaging: McMahan, Moore, Ramage, Hampson and Agüera y Arcas, "Communication-Efficient
 * Learning of Deep Networks from Decentralized Data", AISTATS 2017, arXiv:1602.05629 (Algorithm 1).
 *
 * <p>Each round the server sends every sampled client the full global model (dense, 4·d bytes)
 * and the local hyperparameters E, B and η; the client runs E epochs of minibatch SGD on its data
 * ({@link SgdClientTrainer}) and uploads its full model (dense); the server replaces the global
 * model by the example-weighted mean {@code Σ_k (n_k / Σ_j n_j)·w_k} over the clients that finished.
 *
 * <p>Subclasses change one hook: {@link FedProx} only adds μ to the configuration.
 */
public class FedAvg implements Strategy {
    private final TrainConfig config;

    /** FedAvg with these local hyperparameters. */
    public FedAvg(TrainConfig config) {
        this.config = Objects.requireNonNull(config, "config");
    }

    @Override
    public String name() {
        return "fedavg";
    }

    /** The local hyperparameters sent to every client. */
    public TrainConfig config() {
        return config;
    }

    /** Sends each client the global model (shared, read-only) and {@link #fitConfig}. */
    @Override
    public List<FitInstructions> configureFit(int round, ServerState state, int[] sampledClients) {
        Payload global = Payload.dense(state.global());
        TrainConfig c = fitConfig(round);
        List<FitInstructions> out = new ArrayList<>(sampledClients.length);
        for (int id : sampledClients) {
            out.add(new FitInstructions(id, global, c));
        }
        return out;
    }

    /** The configuration of a round; subclasses add their own numbers. */
    protected TrainConfig fitConfig(int round) {
        return config;
    }

    /** Example-weighted mean of the uploaded models into the global model. */
    @Override
    public void aggregateFit(int round, List<ClientResult> results, List<ClientFailure> failures,
            ServerState state) {
        List<DenseF32> models = new ArrayList<>(results.size());
        for (ClientResult r : results) {
            if (!(r.fit().payload() instanceof DensePayload d)) {
                throw new IllegalStateException(name() + " expects dense uploads, client " + r.clientId() + " sent "
                        + r.fit().payload().getClass().getSimpleName());
            }
            models.add(d.values());
        }
        Aggregation.weightedMean(state.kernels(), Aggregation.exampleWeights(results), models, state.global());
    }
}
