package dev.thimble.internal.provider;

import dev.thimble.spi.ForwardingKernelProvider;
import dev.thimble.spi.KernelProvider;
import java.lang.System.Logger;
import java.lang.System.Logger.Level;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.ServiceConfigurationError;
import java.util.ServiceLoader;

/**
 * Finds the kernel providers that can run here and picks one.
 *
 * <p>Every provider, built in or not, is registered through {@link ServiceLoader}; one that
 * cannot run (no Vector API module, native library missing, old CPU…) fails to construct and
 * is recorded with its reason. {@code -Dthimble.kernels=auto|NAME} forces a choice; the choice
 * and the reasons are logged once.
 */
public final class KernelProviders {
    /** System property that forces a provider by name ({@code auto} picks the best). */
    public static final String PROPERTY = "thimble.kernels";

    private static final Logger LOG = System.getLogger("dev.thimble.kernels");

    private KernelProviders() {
    }

    /** What the lookup found: the providers that loaded, by priority, and why the others did not. */
    public record Discovery(List<KernelProvider> available, Map<String, String> unavailable) {
        /** The provider named {@code name}, or an exception listing what is available. */
        public KernelProvider byName(String name) {
            for (KernelProvider p : available) {
                if (p.name().equalsIgnoreCase(name)) {
                    return p;
                }
            }
            String why = unavailable.get(name.toLowerCase(Locale.ROOT));
            throw new IllegalArgumentException("kernel provider '" + name + "' is not available"
                    + (why == null ? "" : " (" + why + ")") + "; available: "
                    + available.stream().map(KernelProvider::name).toList());
        }
    }

    private static final class DiscoveryHolder {
        static final Discovery DISCOVERY = discover();
    }

    /** Separate from {@link DiscoveryHolder} so that listing providers does not choose (and log) a default. */
    private static final class DefaultHolder {
        static final KernelProvider DEFAULT = choose(DiscoveryHolder.DISCOVERY, System.getProperty(PROPERTY, "auto"));
    }

    /** All providers found on the class path (discovered once). */
    public static Discovery discovery() {
        return DiscoveryHolder.DISCOVERY;
    }

    /** The provider chosen by {@code -Dthimble.kernels} or by priority (chosen and logged once). */
    public static KernelProvider defaultProvider() {
        return DefaultHolder.DEFAULT;
    }

    private static Discovery discover() {
        List<KernelProvider> found = new ArrayList<>();
        Map<String, String> failed = new LinkedHashMap<>();
        Iterator<ServiceLoader.Provider<KernelProvider>> it = ServiceLoader.load(KernelProvider.class).stream()
                .iterator();
        while (true) {
            String cls = "?";
            try {
                if (!it.hasNext()) {
                    break;
                }
                ServiceLoader.Provider<KernelProvider> p = it.next();
                cls = p.type().getName();
                found.add(p.get());
            } catch (ServiceConfigurationError | LinkageError | UnsupportedOperationException e) {
                Throwable cause = e instanceof ServiceConfigurationError && e.getCause() != null ? e.getCause() : e;
                failed.put(shortName(cls), cause.getClass().getSimpleName() + ": " + cause.getMessage());
            }
        }
        found.sort(Comparator.comparingInt(KernelProvider::priority).reversed());
        // a forwarding provider (a BLAS for the dense kernels, say) runs the rest on the next provider
        // below it; one with nothing below it cannot run
        for (int i = found.size() - 1; i >= 0; i--) {
            if (found.get(i) instanceof ForwardingKernelProvider fwd) {
                if (i + 1 < found.size()) {
                    fwd.attachFallback(found.get(i + 1));
                } else {
                    failed.put(fwd.name(), "it forwards kernels it lacks, and no provider below it can run them");
                    found.remove(i);
                }
            }
        }
        return new Discovery(List.copyOf(found), Map.copyOf(failed));
    }

    private static KernelProvider choose(Discovery d, String wanted) {
        if (d.available().isEmpty()) {
            throw new IllegalStateException("no kernel provider could be loaded: " + d.unavailable());
        }
        KernelProvider chosen;
        String why;
        if (wanted.isBlank() || wanted.equalsIgnoreCase("auto")) {
            chosen = d.available().getFirst();
            why = "highest priority of " + d.available().stream().map(KernelProvider::name).toList();
        } else {
            chosen = d.byName(wanted.trim());
            why = "forced by -D" + PROPERTY + "=" + wanted;
        }
        LOG.log(Level.INFO, "Thimble kernels: {0} ({1}); {2}{3}", chosen.name(), chosen.description(), why,
                d.unavailable().isEmpty() ? "" : "; unavailable: " + d.unavailable());
        return chosen;
    }

    /** {@code dev.thimble.internal.panama.PanamaKernels -> panama}: the key of an unavailable provider. */
    private static String shortName(String className) {
        String simple = className.substring(className.lastIndexOf('.') + 1);
        return simple.replace("Kernels", "").replace("Provider", "").toLowerCase(Locale.ROOT);
    }
}
