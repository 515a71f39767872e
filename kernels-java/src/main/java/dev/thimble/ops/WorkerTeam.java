package dev.thimble.ops;

import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.LockSupport;

/**
 * The worker threads of a {@link KernelContext}: the caller hands each worker one share of a call
 * and runs the first share itself.
 *
 * <p>Why not an {@code ExecutorService}: its idle workers park, and waking a parked thread (and
 * then the parked caller) costs tens to hundreds of microseconds on a virtual machine — more than
 * the whole of a 1024²·64 sparse product, which then ran slower on 2 threads than on 1. Workers
 * here spin for {@link #SPIN_NANOS} after each share before they park, and the caller spins as
 * long while it waits, as OpenMP runtimes do; back-to-back kernel calls never sleep.
 *
 * <p>One call at a time: a call that finds the team busy (another thread's call, or a kernel
 * started from inside a share) gets {@code false} from {@link #tryRun} and runs on its own thread.
 */
final class WorkerTeam implements AutoCloseable {
    /** How long an idle worker, or a waiting caller, spins before it parks. */
    static final long SPIN_NANOS = 100_000;

    private final Worker[] workers;
    private final AtomicBoolean busy = new AtomicBoolean();
    private volatile boolean closed;

    WorkerTeam(int size, String name) {
        workers = new Worker[size];
        for (int i = 0; i < size; i++) {
            workers[i] = new Worker();
            Thread t = new Thread(workers[i], name + "-" + (i + 1));
            t.setDaemon(true);
            workers[i].thread = t;
            t.start();
        }
    }

    /** Threads besides the caller's. */
    int size() {
        return workers.length;
    }

    /**
     * Runs {@code shares[0]} on the calling thread and {@code shares[i]} on worker i − 1, and
     * returns once all are done, rethrowing the first failure; {@code false} (nothing run) when the
     * team is busy or closed. Null shares are skipped.
     */
    boolean tryRun(Runnable[] shares) {
        if (shares.length - 1 > workers.length) {
            throw new IllegalArgumentException(shares.length + " shares for " + workers.length + " workers + caller");
        }
        if (closed || !busy.compareAndSet(false, true)) {
            return false;
        }
        try {
            for (int i = 1; i < shares.length; i++) {
                if (shares[i] != null) {
                    workers[i - 1].hand(shares[i]);
                }
            }
            Throwable failure = null;
            try {
                if (shares[0] != null) {
                    shares[0].run();
                }
            } catch (RuntimeException | Error e) {
                failure = e;
            }
            for (int i = 1; i < shares.length; i++) {
                if (shares[i] != null) {
                    Throwable f = workers[i - 1].await();
                    failure = failure == null ? f : failure;
                }
            }
            if (failure instanceof RuntimeException re) {
                throw re;
            } else if (failure instanceof Error err) {
                throw err;
            }
            return true;
        } finally {
            busy.set(false);
        }
    }

    /** Stops the workers (they finish nothing new). */
    @Override
    public void close() {
        closed = true;
        for (Worker w : workers) {
            LockSupport.unpark(w.thread);
        }
    }

    /**
     * One worker: {@code task} is its mailbox (set by the caller, cleared by the worker when the
     * share is done). The volatile flags pair up Dekker-style — the worker announces {@code parked}
     * before its last look at the mailbox, the caller fills the mailbox before it looks at
     * {@code parked} — so a share is never left in a mailbox while its worker sleeps; the same
     * holds for {@code waiter} on the way back.
     */
    private final class Worker implements Runnable {
        Thread thread;
        private volatile Runnable task;
        private volatile boolean parked;
        private volatile Thread waiter;
        private Throwable failure;

        void hand(Runnable share) {
            failure = null;
            task = share;
            if (parked) {
                LockSupport.unpark(thread);
            }
        }

        /** Waits until the handed share is done; its failure or null. */
        Throwable await() {
            long spinUntil = System.nanoTime() + SPIN_NANOS;
            while (task != null && System.nanoTime() < spinUntil) {
                Thread.onSpinWait();
            }
            if (task != null) {
                waiter = Thread.currentThread();
                while (task != null) {
                    LockSupport.park(this);
                }
                waiter = null;
            }
            return failure;
        }

        @Override
        public void run() {
            while (!closed) {
                Runnable t = task;
                if (t == null) {
                    t = spinForTask();
                    if (t == null) {
                        continue;
                    }
                }
                try {
                    t.run();
                } catch (Throwable e) {
                    failure = e;
                }
                task = null; // publishes failure (written before this volatile store)
                Thread w = waiter;
                if (w != null) {
                    LockSupport.unpark(w);
                }
            }
        }

        /** Spins for a task, then parks once; the task or null (look again). */
        private Runnable spinForTask() {
            long spinUntil = System.nanoTime() + SPIN_NANOS;
            Runnable t;
            while ((t = task) == null && System.nanoTime() < spinUntil) {
                Thread.onSpinWait();
            }
            if (t != null) {
                return t;
            }
            parked = true;
            if (task == null && !closed) {
                LockSupport.park(this);
            }
            parked = false;
            return null;
        }
    }
}
