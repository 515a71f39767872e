/**
 * Memory-adaptive training of PreResNets under per-client memory budgets: FeDepth's depth-wise
 * block training ({@link dev.thimble.fl.depth.FeDepth}) and the HeteroFL width-slimming baseline
 * ({@link dev.thimble.fl.depth.HeteroFl}), with the budgets, block decompositions and sub-model
 * slicing they need. Public API: the strategies, trainers and {@link dev.thimble.fl.depth.DepthPlan};
 * the rest is package-private.
 */
package dev.thimble.fl.depth;
