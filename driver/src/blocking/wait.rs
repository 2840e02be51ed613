//! Waiting for a future on this thread: [`block_on`] and [`block_on_until`]
//! park the thread until the future's waker unparks it (the handles'
//! futures wait on channels, so this never spins), the latter only until a
//! deadline.

use std::future::Future;
use std::pin::pin;
use std::sync::Arc;
use std::task::{Context, Poll, Wake, Waker};
use std::thread::Thread;
use std::time::Instant;

struct Unpark(Thread);

impl Wake for Unpark {
    fn wake(self: Arc<Self>) {
        self.0.unpark();
    }
    fn wake_by_ref(self: &Arc<Self>) {
        self.0.unpark();
    }
}

/// Runs `future` to completion on this thread.
pub fn block_on<F: Future>(future: F) -> F::Output {
    match block_on_until(future, None) {
        Some(output) => output,
        None => unreachable!("no deadline"),
    }
}

/// Runs `future` on this thread until it completes, or until `deadline`
/// (then `None`; the future is dropped unfinished).
pub fn block_on_until<F: Future>(future: F, deadline: Option<Instant>) -> Option<F::Output> {
    let waker = Waker::from(Arc::new(Unpark(std::thread::current())));
    let mut cx = Context::from_waker(&waker);
    let mut future = pin!(future);
    loop {
        if let Poll::Ready(output) = future.as_mut().poll(&mut cx) {
            return Some(output);
        }
        match deadline {
            None => std::thread::park(),
            Some(at) => {
                let now = Instant::now();
                if now >= at {
                    return None;
                }
                std::thread::park_timeout(at - now);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[test]
    fn waits_for_a_value_sent_from_another_thread() {
        let (tx, rx) = async_channel::bounded(1);
        std::thread::spawn(move || {
            std::thread::sleep(Duration::from_millis(20));
            let _ = tx.send_blocking(7);
        });
        assert_eq!(block_on(rx.recv()), Ok(7));
    }

    #[test]
    fn gives_up_at_the_deadline() {
        let (_tx, rx) = async_channel::bounded::<u8>(1);
        let deadline = Instant::now() + Duration::from_millis(30);
        assert_eq!(block_on_until(rx.recv(), Some(deadline)), None);
        assert!(Instant::now() >= deadline);
    }
}
