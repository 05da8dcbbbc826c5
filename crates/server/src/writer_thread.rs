//! The writer's own thread: it waits for the database by spinning a moment before it sleeps.
//!
//! sqlx runs every statement of a SQLite connection on a worker thread of its own and hands
//! the answer back, so the writer waits once per statement, a few times per mutation, for
//! tens of microseconds each. On a tokio worker, each of those waits put the thread to sleep
//! and woke it again (a futex or an eventfd each way, and a virtual CPU's wake-up), and the
//! writer, which is the one serial part of a crowd's pushes, spent more time being woken than
//! writing: 7,200–7,800 mutations/s with the process using less than one of the two cores.
//! Waiting here instead, on a thread of the writer's own that spins up to 50 µs (the
//! server's `writer_spin_us`) before it parks, gave 12,400–13,000 mutations/s on the same
//! machine (`cargo xtask bench`), and less CPU per mutation, not more.
//!
//! It spins only while it waits for something: after a group, the empty queue gets one spin
//! before the thread parks, so an idle server costs nothing. It never spins where the process
//! may use only one core (its affinity or its cgroup's quota), since spinning there would hold
//! back the very thread it waits for.
//!
//! Nothing the writer awaits needs tokio's runtime: sqlx's SQLite connection answers through
//! channels from its own thread, and tokio's channels work on any thread. A tokio timer or
//! `tokio::spawn` inside the writer would panic here for want of one.

use std::future::Future;
use std::panic::{self, AssertUnwindSafe};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::task::{Context, Poll, Wake, Waker};
use std::thread::{self, JoinHandle, Thread};
use std::time::{Duration, Instant};

/// Runs `work` to its end on a thread of its own, spinning up to `spin` for each wake.
///
/// If the work panics, the process ends: a server whose writer died would go on answering
/// every push `retry` while it looked healthy; ended, it is started again by its supervisor
/// (systemd, as the README deploys it), and no acknowledged mutation is lost (each was committed before
/// it was answered). Release builds abort on any panic anyway.
pub fn spawn<F>(work: F, spin: Duration) -> JoinHandle<()>
where
    F: Future<Output = ()> + Send + 'static,
{
    let cores = thread::available_parallelism().map_or(1, |cores| cores.get());
    let spin = if cores > 1 { spin } else { Duration::ZERO };
    thread::Builder::new()
        .name("writer".into())
        .spawn(move || {
            if panic::catch_unwind(AssertUnwindSafe(|| block_on(work, spin))).is_err() {
                tracing::error!("the writer panicked; the server stops so that it is restarted");
                std::process::abort();
            }
        })
        .expect("the writer's thread starts")
}

/// Wakes the thread that polls the work.
struct Signal {
    woken: AtomicBool,
    thread: Thread,
}

impl Wake for Signal {
    fn wake(self: Arc<Self>) {
        self.wake_by_ref();
    }

    fn wake_by_ref(self: &Arc<Self>) {
        self.woken.store(true, Ordering::Release);
        self.thread.unpark();
    }
}

/// Polls `work` whenever it is woken; between, spins up to `spin` and then parks.
fn block_on<F: Future>(work: F, spin: Duration) -> F::Output {
    let signal = Arc::new(Signal {
        woken: AtomicBool::new(true),
        thread: thread::current(),
    });
    let waker = Waker::from(signal.clone());
    let mut context = Context::from_waker(&waker);
    let mut work = std::pin::pin!(work);
    loop {
        if signal.woken.swap(false, Ordering::Acquire) {
            if let Poll::Ready(output) = work.as_mut().poll(&mut context) {
                return output;
            }
            continue;
        }
        if !spin.is_zero() {
            let started = Instant::now();
            while !signal.woken.load(Ordering::Acquire) && started.elapsed() < spin {
                std::hint::spin_loop();
            }
        }
        // A wake between the check and the park leaves the thread's token: park returns at once.
        if !signal.woken.load(Ordering::Acquire) {
            thread::park();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tokio::sync::oneshot;

    const SPIN: Duration = Duration::from_micros(crate::config::WRITER_SPIN_US);

    /// Work that waits on another thread is finished whether the answer comes within the
    /// spin or long after (the thread parked meanwhile), and the thread ends with it.
    #[test]
    fn work_waiting_on_another_thread_finishes_soon_or_late() {
        for delay in [
            Duration::ZERO,
            Duration::from_micros(20),
            Duration::from_millis(30),
        ] {
            let (tell, told) = oneshot::channel();
            let (answer, answered) = std::sync::mpsc::channel();
            let writer = spawn(
                async move {
                    let mut total = 0;
                    for round in 0..20u32 {
                        let (reply, replied) = oneshot::channel();
                        thread::spawn(move || {
                            thread::sleep(delay);
                            reply.send(round).unwrap();
                        });
                        total += replied.await.unwrap();
                    }
                    let extra: u32 = told.await.unwrap();
                    answer.send(total + extra).unwrap();
                },
                SPIN,
            );
            tell.send(1).unwrap();
            writer.join().unwrap();
            assert_eq!(
                answered.recv().unwrap(),
                (0..20).sum::<u32>() + 1,
                "{delay:?}"
            );
        }
    }
}
