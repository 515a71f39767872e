package dev.thimble.ops;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

class WorkerTeamTest {
    @Test
    void theCallerRunsTheFirstShareAndWorkersTheOthers() {
        try (WorkerTeam team = new WorkerTeam(2, "t")) {
            Thread[] ran = new Thread[3];
            Runnable[] shares = new Runnable[3];
            for (int i = 0; i < 3; i++) {
                int k = i;
                shares[i] = () -> ran[k] = Thread.currentThread();
            }
            assertTrue(team.tryRun(shares));
            assertSame(Thread.currentThread(), ran[0]);
            assertNotEquals(Thread.currentThread(), ran[1]);
            assertNotEquals(Thread.currentThread(), ran[2]);
            assertNotEquals(ran[1], ran[2]);
        }
    }

    @Test
    void callsAfterTheWorkersParkedStillComplete() throws InterruptedException {
        // idle gaps longer and shorter than the spin: both the spinning and the parked hand-offs
        SplittableRandom rnd = new SplittableRandom(3);
        try (WorkerTeam team = new WorkerTeam(1, "t")) {
            for (int call = 0; call < 200; call++) {
                AtomicIntegerArray done = new AtomicIntegerArray(2);
                assertTrue(team.tryRun(new Runnable[] {() -> done.set(0, 1), () -> done.set(1, 1)}));
                assertEquals(1, done.get(0));
                assertEquals(1, done.get(1), "call " + call);
                if (rnd.nextInt(4) == 0) {
                    TimeUnit.NANOSECONDS.sleep(WorkerTeam.SPIN_NANOS * rnd.nextInt(1, 5));
                }
            }
        }
    }

    @Test
    void aWorkerFailureIsRethrownOnlyAfterEveryShareFinished() {
        try (WorkerTeam team = new WorkerTeam(2, "t")) {
            AtomicBoolean slowDone = new AtomicBoolean();
            IllegalStateException e = assertThrows(IllegalStateException.class, () -> team.tryRun(new Runnable[] {
                () -> { }, () -> {
                    throw new IllegalStateException("boom");
                }, () -> {
                    sleep(30);
                    slowDone.set(true);
                }}));
            assertEquals("boom", e.getMessage());
            assertTrue(slowDone.get());
            // the team is usable again
            assertTrue(team.tryRun(new Runnable[] {() -> { }, () -> { }}));
        }
    }

    @Test
    void theCallersOwnFailureWinsOverAWorkers() {
        try (WorkerTeam team = new WorkerTeam(1, "t")) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> team.tryRun(
                    new Runnable[] {() -> {
                        throw new IllegalArgumentException("caller");
                    }, () -> {
                        throw new IllegalStateException("worker");
                    }}));
            assertEquals("caller", e.getMessage());
        }
    }

    @Test
    void aBusyTeamRefusesASecondCaller() throws Exception {
        try (WorkerTeam team = new WorkerTeam(1, "t")) {
            CountDownLatch started = new CountDownLatch(1);
            CountDownLatch release = new CountDownLatch(1);
            Thread first = new Thread(() -> team.tryRun(new Runnable[] {() -> { }, () -> {
                started.countDown();
                await(release);
            }}));
            first.start();
            assertTrue(started.await(10, TimeUnit.SECONDS));
            assertFalse(team.tryRun(new Runnable[] {() -> { }, () -> { }}));
            release.countDown();
            first.join(10_000);
            assertTrue(team.tryRun(new Runnable[] {() -> { }, () -> { }}));
        }
    }

    @Test
    void aKernelCalledFromInsideAShareRunsInlineOverAllItsRows() {
        try (KernelContext ctx = KernelContext.builder().provider("scalar").threads(2).parallelThreshold(0).build()) {
            AtomicIntegerArray outer = new AtomicIntegerArray(10);
            AtomicReference<int[]> inner = new AtomicReference<>();
            ctx.forRows(10, 1, (s, e) -> {
                for (int i = s; i < e; i++) {
                    outer.incrementAndGet(i);
                }
                if (s == 0) {
                    int[] rows = new int[6];
                    ctx.forRows(6, 1, (s2, e2) -> {
                        for (int i = s2; i < e2; i++) {
                            rows[i]++;
                        }
                    });
                    inner.set(rows);
                }
            });
            for (int i = 0; i < 10; i++) {
                assertEquals(1, outer.get(i), "row " + i);
            }
            assertArrayEquals(new int[] {1, 1, 1, 1, 1, 1}, inner.get());
        }
    }

    @Test
    void aClosedTeamRefusesAndItsThreadsEnd() throws InterruptedException {
        WorkerTeam team = new WorkerTeam(2, "closing-team");
        team.close();
        assertFalse(team.tryRun(new Runnable[] {() -> { }, () -> { }}));
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (workersAlive("closing-team") && System.nanoTime() < deadline) {
            Thread.sleep(5);
        }
        assertFalse(workersAlive("closing-team"));
    }

    @Test
    void moreSharesThanThreadsIsAProgrammingError() {
        try (WorkerTeam team = new WorkerTeam(1, "t")) {
            assertThrows(IllegalArgumentException.class, () -> team.tryRun(new Runnable[3]));
        }
    }

    private static boolean workersAlive(String name) {
        return Thread.getAllStackTraces().keySet().stream().anyMatch(t -> t.getName().startsWith(name) && t.isAlive());
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void await(CountDownLatch latch) {
        try {
            latch.await(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
