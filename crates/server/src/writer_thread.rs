//! The writer's own thread: it waits for the database by spinning a moment before it sleeps.
//!
//! sqlx runs every statement of a SQLite connection on a worker thread of its own and hands
//! the answer back, so the writer waits once per statement, a few times per mutation, for
//! tens of microseconds each. On a tokio worker, each of those waits put the thread to sleep
//! and woke it again (a futex or an eventfd each way, and a virtual CPU's wake-up), and the
//! writer, which is the one serial part of a crowd's pushes, spent more time being woken than
//! writing: 7,200–7,800 mutations/s with the process using less than one of the two cores.
//! Waiting here instead, on a thread of the writer's own that spins up to `SPIN` before it
//! parks, gave 12,400–13,700 mutations/s on the same machine (`cargo xtask bench`), and less
//! CPU per mutation, not more.
//!
//! The spin only runs while the writer has work (it parks after `SPIN` with nothing to do, so
//! an idle server costs nothing), and never on a machine with a single core, where spinning
//! would hold back the very thread it waits for.

use std::future::Future;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::task::{Context, Poll, Wake, Waker};
use std::thread::{self, JoinHandle, Thread};
use std::time::{Duration, Instant};

/// How long the writer spins for an answer before it sleeps: longer than most statements take
/// on sqlx's worker (30 µs already gave the whole gain), short enough to be nothing when idle.
const SPIN: Duration = Duration::from_micros(50);

/// Runs `work` to its end on a thread of its own. Anything inside that needs tokio (a timer,
/// a spawned task) finds the runtime `spawn` was called from.
pub fn spawn<F>(work: F) -> JoinHandle<()>
where
    F: Future<Output = ()> + Send + 'static,
{
    let runtime = tokio::runtime::Handle::try_current().ok();
    let spin = thread::available_parallelism().is_ok_and(|cores| cores.get() > 1);
    thread::Builder::new()
        .name("writer".into())
        .spawn(move || {
            let _inside = runtime.as_ref().map(|runtime| runtime.enter());
            block_on(work, if spin { SPIN } else { Duration::ZERO });
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
        let started = Instant::now();
        while !signal.woken.load(Ordering::Acquire) && started.elapsed() < spin {
            std::hint::spin_loop();
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
            let writer = spawn(async move {
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
            });
            tell.send(1).unwrap();
            writer.join().unwrap();
            assert_eq!(
                answered.recv().unwrap(),
                (0..20).sum::<u32>() + 1,
                "{delay:?}"
            );
        }
    }

    /// With tokio's runtime entered, a timer inside the work runs.
    #[tokio::test]
    async fn the_runtime_it_was_started_from_serves_its_timers() {
        let (answer, answered) = oneshot::channel();
        spawn(async move {
            tokio::time::sleep(Duration::from_millis(5)).await;
            answer.send(()).unwrap();
        });
        answered.await.unwrap();
    }
}
